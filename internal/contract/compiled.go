package contract

import (
	"encoding/json"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaNode is a schema compiled for the fast path: the checks
// kin-openapi's OpenAPI 3.0 visitor (Schema.VisitJSON) makes, read from the
// *openapi3.Schema once at load and applied to a tape. A schema it cannot
// mirror becomes a fallback node, and kin-openapi judges that value.
type schemaNode struct {
	kin      *openapi3.Schema
	fallback bool // kin-openapi judges the value

	nullable            bool
	kinds               kinds
	integer             bool // a number must be whole: the type permits integer, not number
	not                 *schemaNode
	oneOf, anyOf, allOf []*schemaNode
	enum                []any // string, float64, bool or nil: the JSON values kin-openapi compares with

	minLength     uint64
	maxLength     *uint64
	pattern       *regexp.Regexp
	stringFormat  openapi3.StringFormatValidator
	integerFormat openapi3.IntegerFormatValidator
	numberFormat  openapi3.NumberFormatValidator
	min, max      *float64
	above, below  *float64 // exclusive bounds

	minItems uint64
	maxItems *uint64
	items    *schemaNode

	names        []string       // declared properties, sorted; a property's slot is its index
	slots        map[string]int // slots by name, for objects that declare many properties
	props        []*schemaNode  // by slot
	required     []string
	noAdditional bool
	additional   *schemaNode
	minProps     uint64
	maxProps     *uint64
}

// kinds are the JSON types a schema's type keyword permits.
type kinds uint8

const (
	kindBoolean kinds = 1 << iota
	kindNumber        // number or integer
	kindString
	kindArray
	kindObject
	anyKind = kindBoolean | kindNumber | kindString | kindArray | kindObject
)

// compiledKeywords are those schemaNode mirrors, plus those the 3.0 visitor
// ignores when no readOnly/writeOnly direction is set and no defaults are
// filled in. A schema with any other keyword (discriminator, uniqueItems,
// multipleOf, const, 3.1 keywords...) is left to kin-openapi.
var compiledKeywords = []string{
	"type", "nullable", "enum", "format", "minLength", "maxLength", "pattern",
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	"minItems", "maxItems", "items",
	"properties", "required", "additionalProperties", "minProperties", "maxProperties",
	"not", "oneOf", "anyOf", "allOf",
	"readOnly", "writeOnly", "default", "xml", "allowEmptyValue",
}

// compiler compiles the schemas of one body, each schema once, so shared
// and recursive schemas become shared and recursive nodes.
type compiler struct {
	nodes map[*openapi3.Schema]*schemaNode
}

func (c *compiler) compile(s *openapi3.Schema) *schemaNode {
	if n := c.nodes[s]; n != nil {
		return n
	}
	n := &schemaNode{kin: s}
	c.nodes[s] = n
	if !c.fill(n, s) {
		*n = schemaNode{kin: s, fallback: true}
	}
	return n
}

// fill compiles s into n; false when kin-openapi must judge s.
func (c *compiler) fill(n *schemaNode, s *openapi3.Schema) bool {
	if !saysOnly(s, compiledKeywords...) {
		return false
	}
	n.kinds = anyKind
	if s.IsEmpty() {
		return true // kin-openapi takes any value but null, whatever the schema says (a "not: {}" for one)
	}
	ok := true
	sub := func(ref *openapi3.SchemaRef) *schemaNode {
		if ref == nil || ref.Value == nil {
			ok = false // kin-openapi reports an unresolved $ref
			return nil
		}
		return c.compile(ref.Value)
	}
	subs := func(refs openapi3.SchemaRefs) []*schemaNode {
		var out []*schemaNode
		for _, ref := range refs {
			out = append(out, sub(ref))
		}
		return out
	}

	n.nullable = s.Nullable || s.Type.IncludesNull()
	if s.Type != nil {
		var known bool
		if n.kinds, known = kindsOf(s.Type); !known {
			return false
		}
	}
	n.integer = s.Type.Permits(openapi3.TypeInteger) && !s.Type.Permits(openapi3.TypeNumber)
	if s.Not != nil {
		n.not = sub(s.Not)
	}
	n.oneOf, n.anyOf, n.allOf = subs(s.OneOf), subs(s.AnyOf), subs(s.AllOf)
	for _, e := range s.Enum {
		v, known := enumValue(e)
		if !known {
			return false
		}
		n.enum = append(n.enum, v)
	}
	if !fillScalar(n, s) {
		return false
	}
	n.minItems, n.maxItems = s.MinItems, s.MaxItems
	if s.Items != nil {
		n.items = sub(s.Items)
	}
	n.names = slices.Sorted(maps.Keys(s.Properties))
	for _, name := range n.names {
		n.props = append(n.props, sub(s.Properties[name]))
	}
	if len(n.names) > maxScannedNames {
		n.slots = make(map[string]int, len(n.names))
		for i, name := range n.names {
			n.slots[name] = i
		}
	}
	n.required = s.Required
	n.noAdditional = s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has
	if ref := s.AdditionalProperties.Schema; ref != nil && ref.Value != nil {
		n.additional = c.compile(ref.Value)
	}
	n.minProps, n.maxProps = s.MinProps, s.MaxProps
	return ok
}

// kindsOf is the JSON types a type keyword permits; false for a type
// the compiler does not know.
func kindsOf(types *openapi3.Types) (kinds, bool) {
	var k kinds
	for _, t := range types.Slice() {
		switch t {
		case openapi3.TypeBoolean:
			k |= kindBoolean
		case openapi3.TypeNumber, openapi3.TypeInteger:
			k |= kindNumber
		case openapi3.TypeString:
			k |= kindString
		case openapi3.TypeArray:
			k |= kindArray
		case openapi3.TypeObject:
			k |= kindObject
		case openapi3.TypeNull:
		default:
			return 0, false
		}
	}
	return k, true
}

// fillScalar compiles the keywords on strings and numbers; false when a
// pattern is one the compiler leaves to kin-openapi.
func fillScalar(n *schemaNode, s *openapi3.Schema) bool {
	n.minLength, n.maxLength = s.MinLength, s.MaxLength
	if s.Pattern != "" {
		// kin-openapi rewrites \uXXXX before compiling; other patterns it
		// compiles as they are.
		re, err := regexp.Compile(s.Pattern)
		if err != nil || strings.Contains(s.Pattern, `\u`) {
			return false
		}
		n.pattern = re
	}
	// Formats resolve as kin-openapi resolves them per value: the
	// validators of withFormats first, then kin-openapi's global ones.
	if f := s.Format; f != "" {
		if n.stringFormat = stringFormats[f]; n.stringFormat == nil {
			n.stringFormat = openapi3.SchemaStringFormats[f]
		}
		if n.integer {
			n.integerFormat = openapi3.SchemaIntegerFormats[f]
		} else {
			n.numberFormat = openapi3.SchemaNumberFormats[f]
		}
	}
	n.min, n.max = s.Min, s.Max
	n.above, n.below = exclusiveBound(s.ExclusiveMin, s.Min), exclusiveBound(s.ExclusiveMax, s.Max)
	return true
}

// maxScannedNames is how many declared properties are looked up by
// comparing names one by one, which beats hashing the name.
const maxScannedNames = 8

// slot finds a declared property.
func (n *schemaNode) slot(name string) (int, bool) {
	if n.slots != nil {
		slot, ok := n.slots[name]
		return slot, ok
	}
	for i, declared := range n.names {
		if declared == name {
			return i, true
		}
	}
	return 0, false
}

// enumValue is e as the JSON value kin-openapi's enum check equates it with:
// a number of any Go type as a float64. False for an array, an object or a
// json.Number, which the fast path leaves to kin-openapi.
func enumValue(e any) (any, bool) {
	switch e.(type) {
	case nil, string, bool:
		return e, true
	}
	switch v := reflect.ValueOf(e); {
	case v.CanInt():
		return float64(v.Int()), true
	case v.CanUint():
		return float64(v.Uint()), true
	case v.CanFloat():
		return v.Float(), true
	}
	return nil, false
}

// exclusiveBound is the strict bound of exclusiveMinimum or
// exclusiveMaximum: its number (OpenAPI 3.1), or with true (3.0) the
// minimum or maximum beside it.
func exclusiveBound(eb openapi3.ExclusiveBound, inclusive *float64) *float64 {
	switch {
	case eb.Value != nil:
		return eb.Value
	case eb.Bool != nil && *eb.Bool:
		return inclusive
	}
	return nil
}

// sameValueCycle tells whether a schema under root applies itself again to
// the same value through not, oneOf, anyOf or allOf. kin-openapi cuts such a
// cycle short where it meets it, which the compiled nodes do not mirror.
func sameValueCycle(root *openapi3.Schema) bool {
	const visiting, done = 1, 2
	state := map[*openapi3.Schema]int{}
	var cycles func(s *openapi3.Schema) bool
	cycles = func(s *openapi3.Schema) bool {
		switch state[s] {
		case visiting:
			return true
		case done:
			return false
		}
		state[s] = visiting
		for _, ref := range sameValueSchemas(s) {
			if ref != nil && ref.Value != nil && cycles(ref.Value) {
				return true
			}
		}
		state[s] = done
		return false
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema) bool
	walk = func(s *openapi3.Schema) bool {
		if seen[s] {
			return false
		}
		seen[s] = true
		if cycles(s) {
			return true
		}
		children := append(sameValueSchemas(s), s.Items, s.AdditionalProperties.Schema)
		for _, ref := range s.Properties {
			children = append(children, ref)
		}
		for _, ref := range children {
			if ref != nil && ref.Value != nil && walk(ref.Value) {
				return true
			}
		}
		return false
	}
	return walk(root)
}

func sameValueSchemas(s *openapi3.Schema) openapi3.SchemaRefs {
	refs := slices.Concat(s.OneOf, s.AnyOf, s.AllOf)
	if s.Not != nil {
		refs = append(refs, s.Not)
	}
	return refs
}

// validation is one body on its way through compiled nodes.
type validation struct {
	tape
	lastSeen  []int32 // per object being checked, the value of each slot's last member; 0 when absent
	options   []openapi3.SchemaValidationOption
	fallbacks int // values kin-openapi judged
}

// accepts tells whether value i keeps n, as kin-openapi's visitor would
// tell. The checks are those of visitJSON; all must hold, so their order,
// which puts the cheap and the likely failures first, does not change the
// answer.
func (v *validation) accepts(n *schemaNode, i int32) bool {
	if n.fallback {
		return v.kinAccepts(n.kin, i)
	}
	switch v.vals[i].kind {
	case jsonNull:
		// kin-openapi lets null through once oneOf, anyOf or allOf took it.
		return n.nullable || len(n.oneOf)+len(n.anyOf)+len(n.allOf) > 0 && v.combines(n, i)
	case jsonObject:
		return v.acceptsObject(n, i)
	case jsonArray:
		return n.kinds&kindArray != 0 && len(n.enum) == 0 && v.combines(n, i) && v.acceptsArray(n, i)
	case jsonBool:
		return n.kinds&kindBoolean != 0 && v.combines(n, i) && (len(n.enum) == 0 || slices.Contains(n.enum, any(v.text[v.vals[i].start] == 't')))
	case jsonNumber:
		x := v.float(i)
		return n.acceptsNumber(x) && v.combines(n, i) && (len(n.enum) == 0 || slices.Contains(n.enum, any(x)))
	}
	s := v.str(i)
	return (len(n.enum) == 0 || n.inStringEnum(s)) && n.acceptsString(s) && v.combines(n, i)
}

// combines checks not, oneOf, anyOf and allOf.
func (v *validation) combines(n *schemaNode, i int32) bool {
	if n.not != nil && v.accepts(n.not, i) {
		return false
	}
	if len(n.oneOf) > 0 {
		matched := 0
		for _, m := range n.oneOf {
			if v.accepts(m, i) {
				matched++
			}
		}
		if matched != 1 {
			return false
		}
	}
	if len(n.anyOf) > 0 && !slices.ContainsFunc(n.anyOf, func(m *schemaNode) bool { return v.accepts(m, i) }) {
		return false
	}
	for _, m := range n.allOf {
		if !v.accepts(m, i) {
			return false
		}
	}
	return true
}

// kinAccepts has kin-openapi judge value i, decoded as the kin-openapi path
// decodes a body.
func (v *validation) kinAccepts(s *openapi3.Schema, i int32) bool {
	v.fallbacks++
	var value any
	if err := json.Unmarshal([]byte(v.raw(i)), &value); err != nil {
		return false
	}
	return s.VisitJSON(value, v.options...) == nil
}

func (n *schemaNode) inStringEnum(s string) bool {
	for _, e := range n.enum {
		if e, ok := e.(string); ok && e == s {
			return true
		}
	}
	return false
}

func (n *schemaNode) acceptsNumber(x float64) bool {
	if n.kinds&kindNumber == 0 || n.integer && x != math.Trunc(x) {
		return false
	}
	if n.integerFormat != nil && !integerFormatOK(n.integerFormat, x) ||
		n.numberFormat != nil && n.numberFormat.Validate(x) != nil {
		return false
	}
	return (n.above == nil || x > *n.above) && (n.below == nil || x < *n.below) &&
		(n.min == nil || *n.min <= x) && (n.max == nil || *n.max >= x)
}

// integerFormatOK hands x to an integer format validator as kin-openapi
// does, refusing what int64 cannot hold instead of letting it wrap.
func integerFormatOK(f openapi3.IntegerFormatValidator, x float64) bool {
	switch {
	case x == float64(math.MaxInt64): // 2^63, which kin-openapi reads as MaxInt64
		return f.Validate(math.MaxInt64) == nil
	case x >= float64(math.MinInt64) && x < float64(math.MaxInt64):
		return f.Validate(int64(x)) == nil
	}
	return false
}

// acceptsString judges a string; enum aside, it is all a header needs.
func (n *schemaNode) acceptsString(s string) bool {
	if n.kinds&kindString == 0 {
		return false
	}
	// kin-openapi counts runes; a Go string holds no surrogate halves.
	if n.minLength != 0 || n.maxLength != nil {
		length := uint64(utf8.RuneCountInString(s))
		if length < n.minLength || n.maxLength != nil && length > *n.maxLength {
			return false
		}
	}
	return (n.pattern == nil || n.pattern.MatchString(s)) && (n.stringFormat == nil || n.stringFormat.Validate(s) == nil)
}

func (v *validation) acceptsArray(n *schemaNode, i int32) bool {
	count := uint64(v.vals[i].count)
	if count < n.minItems || n.maxItems != nil && count > *n.maxItems {
		return false
	}
	if n.items != nil {
		for item := i + 1; item < v.vals[i].next; item = v.vals[item].next {
			if !v.accepts(n.items, item) {
				return false
			}
		}
	}
	return true
}

// acceptsObject reads the members once, as Unmarshal leaves them: of
// members sharing a name, the last one counts. Presence (required, the
// number of properties, undeclared ones) is checked before the members'
// values, as a variant that does not match mostly lacks a property.
func (v *validation) acceptsObject(n *schemaNode, i int32) bool {
	if n.kinds&kindObject == 0 || len(n.enum) > 0 {
		return false
	}
	if v.vals[i].count > maxPairedMembers && (n.additional != nil || n.minProps != 0 || n.maxProps != nil) {
		return v.kinAccepts(n.kin, i) // telling repeated names apart pairwise would take quadratic time
	}
	base := len(v.lastSeen)
	v.lastSeen = append(v.lastSeen, make([]int32, len(n.props))...)
	ok := v.readMembers(n, i, base) && v.combines(n, i)
	for slot := 0; ok && slot < len(n.props); slot++ {
		if value := v.lastSeen[base+slot]; value != 0 {
			ok = v.accepts(n.props[slot], value)
		}
	}
	v.lastSeen = v.lastSeen[:base]
	return ok
}

// readMembers notes where each declared property's value is and judges
// the rest of the object: undeclared members, required names and counts.
func (v *validation) readMembers(n *schemaNode, i int32, base int) bool {
	for key := i + 1; key < v.vals[i].next; key = v.vals[key+1].next {
		name := v.str(key)
		if slot, ok := n.slot(name); ok {
			v.lastSeen[base+slot] = key + 1
			continue
		}
		if n.noAdditional {
			return false
		}
		if n.additional != nil && !v.redefined(i, key, name) && !v.accepts(n.additional, key+1) {
			return false
		}
	}
	for _, name := range n.required {
		if slot, ok := n.slot(name); ok && v.lastSeen[base+slot] == 0 || !ok && !v.has(i, name) {
			return false
		}
	}
	if n.minProps != 0 || n.maxProps != nil {
		count := uint64(v.distinctNames(i))
		return count >= n.minProps && (n.maxProps == nil || count <= *n.maxProps)
	}
	return true
}

func (v *validation) has(i int32, name string) bool {
	for key := i + 1; key < v.vals[i].next; key = v.vals[key+1].next {
		if v.str(key) == name {
			return true
		}
	}
	return false
}

// maxPairedMembers bounds the objects whose member names are compared
// pairwise.
const maxPairedMembers = 64

// redefined tells whether a later member of object i has key's name.
func (v *validation) redefined(i, key int32, name string) bool {
	for later := v.vals[key+1].next; later < v.vals[i].next; later = v.vals[later+1].next {
		if v.str(later) == name {
			return true
		}
	}
	return false
}

func (v *validation) distinctNames(i int32) int {
	count := 0
	for key := i + 1; key < v.vals[i].next; key = v.vals[key+1].next {
		if !v.redefined(i, key, v.str(key)) {
			count++
		}
	}
	return count
}
