package contract

import (
	"encoding/base64"
	"errors"

	"github.com/getkin/kin-openapi/openapi3"
)

// withFormats checks the string formats the specs use. It is passed per
// validation, so no global of kin-openapi changes: out of the box
// kin-openapi checks neither "email" nor "uuid", and takes any string of
// Base64 characters, padded or not, as "byte". The fast path reads the same
// validators from stringFormats.
var withFormats = openapi3.WithStringFormatValidators(stringFormats)

var stringFormats = map[string]openapi3.StringFormatValidator{
	"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
	"uuid":  openapi3.NewCallbackValidator(checkUUID),
	"byte":  openapi3.NewCallbackValidator(checkBase64),
}

// The errors never quote the value: it may be a password.
var (
	errNotUUID   = errors.New("not a UUID in 8-4-4-4-12 hex form")
	errNotBase64 = errors.New("not padded standard Base64 (RFC 4648 section 4)")
)

func checkUUID(s string) error {
	if len(s) != 36 {
		return errNotUUID
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return errNotUUID
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return errNotUUID
			}
		}
	}
	return nil
}

func checkBase64(s string) error {
	if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
		return errNotBase64
	}
	return nil
}
