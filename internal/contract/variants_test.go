package contract_test

import (
	"context"
	"net/http"
	"testing"
	"testing/fstest"

	"loginharness/internal/contract"
)

// overlapping documents two variants a body can match at once, and a oneOf
// with a sibling keyword, which is validated whole.
const overlapping = `
openapi: 3.0.3
info: {title: overlap, version: "1"}
paths:
  /pets/{id}:
    post:
      operationId: pet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: a cat, a dog, or both
          content:
            application/json:
              schema:
                oneOf:
                  - $ref: "#/components/schemas/Cat"
                  - $ref: "#/components/schemas/Dog"
        "201":
          description: one of them, and an object
          content:
            application/json:
              schema:
                type: object
                oneOf:
                  - $ref: "#/components/schemas/Cat"
                  - $ref: "#/components/schemas/Dog"
components:
  schemas:
    Cat: {type: object, required: [name], properties: {name: {type: string}}}
    Dog: {type: object, required: [name], properties: {name: {type: string}, bark: {type: boolean}}}
`

func TestVariantsThatOverlapAreReported(t *testing.T) {
	c, err := contract.LoadFS(fstest.MapFS{"pets.yaml": {Data: []byte(overlapping)}}, map[contract.API]string{"pets": "pets.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if ops := c.Spec("pets").Operations(); len(ops) != 1 || len(ops[0].ResponseVariants[200]) != 2 || len(ops[0].ResponseVariants[201]) != 0 {
		t.Fatalf("operations %+v: want variants named for 200 only, as 201's oneOf has a sibling", ops)
	}
	tests := []struct {
		name, body string
		status     int
		check      contract.Check
		actual     string
	}{
		{"both variants", `{"name": "Rex"}`, 200, contract.CheckVariant, "Cat, Dog"},
		{"neither variant", `{"bark": true}`, 200, contract.CheckVariant, "none; closest is Cat"},
		{"oneOf with a sibling, both members", `{"name": "Rex"}`, 201, contract.CheckVariant, `object with keys name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &contract.Exchange{Method: http.MethodPost, Path: "/api/pets/7", Status: tt.status,
				Header: headers("Content-Type", "application/json"), Body: []byte(tt.body)}
			res := c.ValidateResponse(context.Background(), "pets", ex)
			if res.Variant != "" || len(res.Findings) == 0 || res.Findings[0].Check != tt.check || res.Findings[0].Actual != tt.actual {
				t.Errorf("variant %q, findings %+v; want a first %q finding saying %q", res.Variant, res.Findings, tt.check, tt.actual)
			}
		})
	}
}
