package workflow

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The Kubernetes example of a sharded run: no cluster runs it here, so its
// documents must at least be well-formed and carry what the harness needs.
const (
	k8sShards = "../../docs/k8s/sharded-load.yaml"
	k8sMerge  = "../../docs/k8s/sharded-merge.yaml"
)

type k8sEnv struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		FieldRef *struct {
			FieldPath string `yaml:"fieldPath"`
		} `yaml:"fieldRef"`
		SecretKeyRef *struct{ Name, Key string } `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type k8sDoc struct {
	APIVersion string                `yaml:"apiVersion"`
	Kind       string                `yaml:"kind"`
	Metadata   struct{ Name string } `yaml:"metadata"`
	Data       map[string]string     `yaml:"data"`
	Spec       struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy string `yaml:"restartPolicy"`
				Containers    []struct {
					Image        string   `yaml:"image"`
					Args         []string `yaml:"args"`
					Env          []k8sEnv `yaml:"env"`
					VolumeMounts []struct {
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readK8s(t *testing.T, path string) []k8sDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(false)
	var docs []k8sDoc
	for {
		var d k8sDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, len(docs)+1, err)
		}
		if d.APIVersion == "" || d.Kind == "" || d.Metadata.Name == "" {
			t.Fatalf("%s: document %d lacks apiVersion, kind or name", path, len(docs)+1)
		}
		docs = append(docs, d)
	}
}

func TestKubernetesShardsAreAnIndexedJob(t *testing.T) {
	docs := readK8s(t, k8sShards)
	i := slices.IndexFunc(docs, func(d k8sDoc) bool { return d.Kind == "Job" })
	if i < 0 {
		t.Fatal("no Job")
	}
	job := docs[i].Spec
	n := job.Completions
	if job.CompletionMode != "Indexed" || n < 2 || job.Parallelism != n || job.Template.Spec.RestartPolicy != "Never" {
		t.Fatalf("want an Indexed Job whose %d shards run at once and never restart: %+v", n, job)
	}
	c := job.Template.Spec.Containers[0]
	env := map[string]k8sEnv{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if e := env["JOB_COMPLETION_INDEX"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil || !strings.Contains(e.ValueFrom.FieldRef.FieldPath, "job-completion-index") {
		t.Error("JOB_COMPLETION_INDEX does not come from the pod's completion index")
	}
	if got, want := env["HARNESS_SHARD"].Value, "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n); got != want {
		t.Errorf("HARNESS_SHARD is %q, want %q", got, want)
	}
	if e := env["HARNESS_RUN_ID"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil {
		t.Error("HARNESS_RUN_ID does not come from the Job: shards would not share a run id")
	}
	if out := env["HARNESS_OUT"].Value; !strings.Contains(out, "$(JOB_COMPLETION_INDEX)") || len(c.VolumeMounts) == 0 || !strings.HasPrefix(out, c.VolumeMounts[0].MountPath) {
		t.Errorf("HARNESS_OUT %q is not a folder of its own on the shared volume", out)
	}
	for _, secret := range []string{"HARNESS_WEBEX_TOKEN", "HARNESS_REDSKY_PASSWORD"} {
		if e := env[secret]; e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("%s must come from a Secret", secret)
		}
	}
	if !slices.Contains(c.Args, "run") {
		t.Errorf("the shards do not run the harness: %v", c.Args)
	}
	settings := docs[slices.IndexFunc(docs, func(d k8sDoc) bool { return d.Kind == "ConfigMap" })].Data
	for _, v := range []string{"HARNESS_WEBEX_URL", "HARNESS_ALLOW_LIVE_LOAD", "HARNESS_LIVE_MAX_RATE"} {
		if _, ok := settings[v]; !ok {
			t.Errorf("the settings do not name %s", v)
		}
	}

	merge := readK8s(t, k8sMerge)[0].Spec.Template.Spec.Containers[0]
	for shard := range n {
		if !slices.Contains(merge.Args, "/reports/shard-"+strconv.Itoa(shard)) {
			t.Errorf("the merge does not read shard %d: %v", shard, merge.Args)
		}
	}
	if merge.Args[0] != "report" || !slices.Contains(merge.Args, "--out") {
		t.Errorf("the merge is not harness report --in ... --out: %v", merge.Args)
	}
}
