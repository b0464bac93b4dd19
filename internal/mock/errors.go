package mock

// errorCode is the mock's own reason code, sent as errorCode in Webex error
// bodies and Commvault errList entries (neither vendor publishes codes for
// these operations). Codes below 1100 mean the request breaks the spec;
// the property test relies on that split.
type errorCode int

const (
	codeNone         errorCode = 0
	codeBodyMissing  errorCode = 1001 // empty body
	codeBodyTooLarge errorCode = 1002 // over Config.MaxBodyBytes
	codeNotJSON      errorCode = 1003 // not well-formed JSON (or a number beyond float64)
	codeNotObject    errorCode = 1004 // JSON, but not an object
	codeFieldMissing errorCode = 1005
	codeFieldType    errorCode = 1006
	codeFieldValue   errorCode = 1007 // wrong format or pattern
	codeQuery        errorCode = 1008 // empty orgId
	codeNoVariant    errorCode = 1009 // Commvault: neither Login-SaaS nor Login-CustomerManaged
	codeMediaType    errorCode = 1015 // Content-Type is not JSON
	codePrefer       errorCode = 1020 // Prefer: code= names an undocumented or invalid status

	codeNoAuth         errorCode = 1101 // Authorization missing or not "Bearer <token>"
	codeBadToken       errorCode = 1102 // unknown token
	codeNoScope        errorCode = 1103 // token lacks spark-admin:telephony_config_write
	codeUnknownOrg     errorCode = 1104
	codeMethod         errorCode = 1105
	codeBadCredentials errorCode = 1201 // wrong password or unknown account
	codeLocked         errorCode = 1202
	codeRateLimited    errorCode = 1301
	codeUnavailable    errorCode = 1302 // the error ratio's 503
	codeForced         errorCode = 1900 // Prefer: code= chose this answer
)

// message says what went wrong, naming the field when there is one.
func (f fault) message() string {
	switch f.code {
	case codeBodyMissing:
		return "The request body is empty; a JSON object is required."
	case codeBodyTooLarge:
		return "The request body is larger than the " + f.want + " the server accepts."
	case codeNotJSON:
		return "The request body is not well-formed JSON."
	case codeNotObject:
		return "The request body must be a JSON object."
	case codeFieldMissing:
		return "The field " + f.field + " is required."
	case codeFieldType:
		return "The field " + f.field + " must be a string, not " + f.want + "."
	case codeFieldValue:
		return "The field " + f.field + " is not valid: it must be " + f.want + "."
	case codeQuery:
		return "The orgId query parameter must not be empty."
	case codeNoVariant:
		return "The request is neither a SaaS sign-in (an email user name with only username and password) nor a customer-managed one (a user name without @, or commserver, domain, deviceId or timeout)."
	case codeMediaType:
		return "Only JSON request bodies are supported: send Content-Type: application/json."
	}
	return "The request was refused."
}
