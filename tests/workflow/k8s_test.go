package workflow

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"loginharness/internal/load"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// The Kubernetes example of a sharded run. No cluster runs it here, so it
// is built as `kubectl apply -k` builds it (kustomize, in process), and
// every object is decoded strictly into the Kubernetes API types: an
// unknown or misspelt field fails, as the API server's strict field
// validation would.
const k8sDir = "../../docs/k8s"

// k8sObjects is one kustomization built: its objects by kind, decoded.
type k8sObjects struct {
	jobs   []batchv1.Job
	maps   []corev1.ConfigMap
	claims []corev1.PersistentVolumeClaim
}

// kustomize builds the kustomization in dir of fsys and decodes what it
// yields.
func kustomize(t *testing.T, fsys filesys.FileSystem, dir string) k8sObjects {
	t.Helper()
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		t.Fatalf("kubectl apply -k %s would fail: %v", dir, err)
	}
	var objs k8sObjects
	for _, r := range res.Resources() {
		data, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		var into any
		switch gvk := r.GetGvk(); gvk.ApiVersion() + " " + gvk.Kind {
		case "batch/v1 Job":
			objs.jobs = append(objs.jobs, batchv1.Job{})
			into = &objs.jobs[len(objs.jobs)-1]
		case "v1 ConfigMap":
			objs.maps = append(objs.maps, corev1.ConfigMap{})
			into = &objs.maps[len(objs.maps)-1]
		case "v1 PersistentVolumeClaim":
			objs.claims = append(objs.claims, corev1.PersistentVolumeClaim{})
			into = &objs.claims[len(objs.claims)-1]
		default:
			t.Fatalf("%s: unexpected %s %s", dir, gvk.ApiVersion(), gvk.Kind)
		}
		if err := yaml.UnmarshalStrict(data, into); err != nil {
			t.Fatalf("%s: %s %s does not decode strictly: %v\n%s", dir, r.GetKind(), r.GetName(), err, data)
		}
		if r.GetName() == "" {
			t.Fatalf("%s: a %s without a name", dir, r.GetKind())
		}
	}
	return objs
}

func onDisk(t *testing.T, folder string) k8sObjects {
	t.Helper()
	return kustomize(t, filesys.MakeFsOnDisk(), path.Join(k8sDir, folder))
}

func onlyJob(t *testing.T, objs k8sObjects) (batchv1.Job, corev1.Container) {
	t.Helper()
	if len(objs.jobs) != 1 || len(objs.jobs[0].Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one Job of one container: %+v", objs.jobs)
	}
	job := objs.jobs[0]
	return job, job.Spec.Template.Spec.Containers[0]
}

func envOf(c corev1.Container) map[string]corev1.EnvVar {
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	return env
}

func TestKubernetesShardsAreAnIndexedJob(t *testing.T) {
	objs := onDisk(t, "shards")
	job, c := onlyJob(t, objs)
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion || spec.Completions == nil {
		t.Fatalf("want an Indexed Job with a shard count: %+v", spec)
	}
	n := int(*spec.Completions)
	if n < 2 || spec.Parallelism == nil || int(*spec.Parallelism) != n || spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Fatalf("want an Indexed Job whose %d shards run at once and never restart: %+v", n, spec)
	}
	// One failing shard must neither stop the others nor be run again, and
	// the Job must finish: a wait on it then always returns.
	if spec.BackoffLimitPerIndex == nil || *spec.BackoffLimitPerIndex != 0 || spec.ActiveDeadlineSeconds == nil {
		t.Errorf("want backoffLimitPerIndex 0 and an activeDeadlineSeconds: %+v", spec)
	}
	env := envOf(c)
	if e := env["JOB_COMPLETION_INDEX"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil || !strings.Contains(e.ValueFrom.FieldRef.FieldPath, "job-completion-index") {
		t.Error("JOB_COMPLETION_INDEX does not come from the pod's completion index")
	}
	if got, want := env[load.EnvShard].Value, "$(JOB_COMPLETION_INDEX)/"+strconv.Itoa(n); got != want {
		t.Errorf("%s is %q, want %q", load.EnvShard, got, want)
	}
	if e := env[load.EnvRunID]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil {
		t.Errorf("%s does not come from the Job: shards would not share a run id", load.EnvRunID)
	}
	out := env[results.OutDirEnv].Value
	if !strings.HasSuffix(out, "/shard-$(JOB_COMPLETION_INDEX)") || len(c.VolumeMounts) != 1 || !strings.HasPrefix(out, c.VolumeMounts[0].MountPath+"/") {
		t.Errorf("%s %q is not a folder of its own on the shared volume", results.OutDirEnv, out)
	}
	secrets := map[string]bool{}
	for _, v := range target.Variables() {
		secrets[v.Env] = v.Secret
	}
	for name, e := range env {
		fromSecret := e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
		if secrets[name] != fromSecret {
			t.Errorf("%s: a secret must come from the Secret, and only a secret (from the Secret: %v)", name, fromSecret)
		}
	}
	if len(c.Args) == 0 || c.Args[0] != "run" {
		t.Errorf("the shards do not run the harness: %v", c.Args)
	}
	checkImage(t, c)

	if len(objs.maps) != 1 || len(objs.claims) != 1 {
		t.Fatalf("want the settings' ConfigMap and the reports' claim: %d, %d", len(objs.maps), len(objs.claims))
	}
	documented := documentedVariables(t)
	for name := range objs.maps[0].Data {
		if !documented[name] || secrets[name] {
			t.Errorf("the settings name %s, which is not a documented setting that is no secret", name)
		}
	}
	for _, v := range []string{"HARNESS_WEBEX_URL", "HARNESS_ALLOW_LIVE_LOAD", "HARNESS_LIVE_MAX_RATE"} {
		if _, ok := objs.maps[0].Data[v]; !ok {
			t.Errorf("the settings do not name %s", v)
		}
	}
	claim := objs.claims[0]
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != objs.maps[0].Name {
		t.Errorf("the shards do not read the settings %s: %+v", objs.maps[0].Name, c.EnvFrom)
	}
	if vols := job.Spec.Template.Spec.Volumes; len(vols) != 1 || vols[0].PersistentVolumeClaim == nil || vols[0].PersistentVolumeClaim.ClaimName != claim.Name {
		t.Errorf("the shards do not write to the claim %s", claim.Name)
	}
	if slices.Contains(claim.Spec.AccessModes, corev1.ReadWriteMany) && !strings.Contains(readK8sDoc(t, "README.md"), "ReadWriteMany") {
		t.Error("the claim needs ReadWriteMany and docs/k8s/README.md does not say so")
	}
}

// TestKubernetesShardCountIsWrittenOnce changes the Job's completions, and
// only that, in a copy of the files: the parallelism and every shard's
// HARNESS_SHARD must follow.
func TestKubernetesShardCountIsWrittenOnce(t *testing.T) {
	fsys := filesys.MakeFsInMemory()
	for _, f := range []string{"image/kustomization.yaml", "shards/kustomization.yaml", "shards/job.yaml"} {
		data := readK8sDoc(t, f)
		if f == "shards/job.yaml" {
			re := regexp.MustCompile(`(?m)^(\s*completions:) \d+$`)
			if len(re.FindAllString(data, -1)) != 1 {
				t.Fatalf("%s: want one completions line", f)
			}
			data = re.ReplaceAllString(data, "$1 7")
			if strings.Contains(data, "/3") || regexp.MustCompile(`parallelism: *\d`).MatchString(data) {
				t.Fatalf("%s writes the shard count a second time", f)
			}
		}
		if err := fsys.WriteFile(path.Join("/k8s", f), []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	job, c := onlyJob(t, kustomize(t, fsys, "/k8s/shards"))
	if p := job.Spec.Parallelism; p == nil || *p != 7 {
		t.Errorf("parallelism %v does not follow completions 7", p)
	}
	if got := envOf(c)[load.EnvShard].Value; got != "$(JOB_COMPLETION_INDEX)/7" {
		t.Errorf("%s %q does not follow completions 7", load.EnvShard, got)
	}
}

func TestKubernetesMergeReadsEveryShard(t *testing.T) {
	shards, shard := onlyJob(t, onDisk(t, "shards"))
	merge, c := onlyJob(t, onDisk(t, "merge"))
	if len(c.Args) < 3 || c.Args[0] != "report" {
		t.Fatalf("the merge is not harness report: %v", c.Args)
	}
	out := path.Dir(envOf(shard)[results.OutDirEnv].Value)
	i := slices.Index(c.Args, "--in-each")
	if i < 0 || i+1 >= len(c.Args) || c.Args[i+1] != out || slices.Contains(c.Args, "--in") {
		t.Errorf("the merge does not read every folder under %s, and only those: %v", out, c.Args)
	}
	if o := slices.Index(c.Args, "--out"); o < 0 || o+1 >= len(c.Args) || strings.HasPrefix(c.Args[o+1]+"/", out+"/") {
		t.Errorf("the merge writes no page, or writes it among the shards' folders: %v", c.Args)
	}
	if a, b := shards.Spec.Template.Spec.Volumes, merge.Spec.Template.Spec.Volumes; len(a) != 1 || len(b) != 1 || a[0].PersistentVolumeClaim == nil || b[0].PersistentVolumeClaim == nil ||
		a[0].PersistentVolumeClaim.ClaimName != b[0].PersistentVolumeClaim.ClaimName || c.VolumeMounts[0].MountPath != shard.VolumeMounts[0].MountPath {
		t.Error("the merge does not mount the shards' volume where they wrote")
	}
	if merge.Spec.BackoffLimit == nil || *merge.Spec.BackoffLimit != 0 {
		t.Error("the merge may run twice: want backoffLimit 0")
	}
	checkImage(t, c)

	// Its comment gives every exit status, since the Job's is the verdict.
	comment := readK8sDoc(t, "merge/job.yaml")
	for code := range 4 {
		if !regexp.MustCompile(`(?m)^#.*[\s:;]` + strconv.Itoa(code) + ` [a-z]`).MatchString(comment) {
			t.Errorf("merge/job.yaml's comment does not say what exit %d means", code)
		}
	}
}

// checkImage wants an image reference that names a registry and a tag
// other than latest, pulled by an explicit policy.
func checkImage(t *testing.T, c corev1.Container) {
	t.Helper()
	name, tag, ok := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")
	registry, _, hasRegistry := strings.Cut(c.Image, "/")
	if !ok || !hasRegistry || !strings.ContainsAny(registry, ".:") || name != "loginharness" || tag == "" || tag == "latest" {
		t.Errorf("image %q: want REGISTRY/loginharness:TAG, the tag not latest", c.Image)
	}
	if c.ImagePullPolicy == "" {
		t.Errorf("image %q: no imagePullPolicy", c.Image)
	}
}

// TestKubernetesStepsApplyAsWritten keeps docs/k8s/README.md in step with
// the files: every folder it applies is a kustomization, every Job it waits
// for exists, and its wait returns on failure as on completion.
func TestKubernetesStepsApplyAsWritten(t *testing.T) {
	doc := readK8sDoc(t, "README.md")
	applied := regexp.MustCompile(`kubectl (?:apply|delete) -k (\S+)`).FindAllStringSubmatch(doc, -1)
	if len(applied) < 2 {
		t.Fatalf("the steps apply %d folders", len(applied))
	}
	jobs := map[string]bool{}
	for _, a := range applied {
		folder, ok := strings.CutPrefix(a[1], "docs/k8s/")
		if !ok {
			t.Fatalf("%s is not a folder of docs/k8s", a[1])
		}
		for _, j := range onDisk(t, folder).jobs {
			jobs[j.Name] = true
		}
	}
	waited := regexp.MustCompile(`(?m)^\s*finished (\S+)$`).FindAllStringSubmatch(doc, -1)
	if len(waited) != len(jobs) {
		t.Errorf("the steps wait for %d Jobs, want each of %v", len(waited), jobs)
	}
	for _, w := range waited {
		if !jobs[w[1]] {
			t.Errorf("the steps wait for %s, which no folder applies", w[1])
		}
	}
	if !strings.Contains(doc, "grep -qwE 'Complete|Failed'") || strings.Contains(doc, "--for=condition=complete") {
		t.Error("the wait does not return on failure as on completion")
	}
	// The pod that copies the report out mounts the reports' claim.
	overrides := regexp.MustCompile(`--overrides='([^']+)'`).FindStringSubmatch(doc)
	var fetch corev1.Pod
	if overrides == nil || yaml.UnmarshalStrict([]byte(overrides[1]), &fetch) != nil || len(fetch.Spec.Volumes) != 1 ||
		fetch.Spec.Volumes[0].PersistentVolumeClaim == nil || fetch.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != onDisk(t, "shards").claims[0].Name {
		t.Errorf("the steps copy the report out with no pod that mounts the reports' claim: %v", overrides)
	}
	for _, step := range []string{"docker build -f docs/k8s/Dockerfile", "docker push", "kubectl create secret generic " + secretName(t)} {
		if !strings.Contains(doc, step) {
			t.Errorf("the steps leave out %q", step)
		}
	}
}

func secretName(t *testing.T) string {
	t.Helper()
	_, c := onlyJob(t, onDisk(t, "shards"))
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			return e.ValueFrom.SecretKeyRef.Name
		}
	}
	t.Fatal("the shards read no Secret")
	return ""
}

// TestKubernetesImageIsAStaticBinary checks the Dockerfile by its
// structure, since no container engine runs here: a Go build stage on the
// module's Go release producing a static binary, and a final image that
// holds that binary alone and runs it as the nonroot user the Jobs'
// fsGroup lets write to the volume.
func TestKubernetesImageIsAStaticBinary(t *testing.T) {
	var stages [][]string
	for _, line := range strings.Split(readK8sDoc(t, "Dockerfile"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("an instruction before FROM: %s", line)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], line)
	}
	if len(stages) != 2 {
		t.Fatalf("want two stages, build and run: %d", len(stages))
	}
	build, run := stages[0], stages[1]
	if want := fmt.Sprintf("FROM golang:%s AS build", goRelease(t)); build[0] != want {
		t.Errorf("build stage %q, want %q", build[0], want)
	}
	i := slices.IndexFunc(build, func(l string) bool {
		return strings.HasPrefix(l, "RUN CGO_ENABLED=0 go build ") && strings.HasSuffix(l, "-o /harness ./cmd/harness")
	})
	if i < 0 {
		t.Fatal("the build stage builds no static harness binary to /harness")
	}
	checkStatic(t, strings.TrimPrefix(build[i], "RUN "))
	want := []string{"FROM gcr.io/distroless/static-debian12:nonroot", "COPY --from=build /harness /harness", "USER nonroot:nonroot", `ENTRYPOINT ["/harness"]`}
	if !slices.Equal(run, want) {
		t.Errorf("final stage:\n%s\nwant:\n%s", strings.Join(run, "\n"), strings.Join(want, "\n"))
	}
	const nonroot = 65532
	for _, folder := range []string{"shards", "merge"} {
		job, _ := onlyJob(t, onDisk(t, folder))
		if sc := job.Spec.Template.Spec.SecurityContext; sc == nil || sc.FSGroup == nil || *sc.FSGroup != nonroot {
			t.Errorf("%s: want fsGroup %d, the image's user, so it may write to the volume", folder, nonroot)
		}
	}
}

// checkStatic runs the image's build command here, into a folder of the
// test's, and wants a binary that needs no loader and no shared library:
// the distroless static image has neither.
func checkStatic(t *testing.T, command string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "harness")
	cmd := exec.Command("sh", "-c", strings.Replace(command, "-o /harness", "-o "+bin, 1))
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || len(libs) > 0 {
			t.Fatalf("the image's binary is not static: loader %v, libraries %v", p.Type == elf.PT_INTERP, libs)
		}
	}
}

// goRelease is the module's Go release, "1.26" of "go 1.26.8".
func goRelease(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal("go.mod names no Go release")
	}
	return m[1]
}

// documentedVariables are the variables README.md's table documents.
func documentedVariables(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(HARNESS_[A-Z_]+)` \\|").FindAllStringSubmatch(string(data), -1) {
		vars[m[1]] = true
	}
	if len(vars) == 0 {
		t.Fatal("README.md documents no variable")
	}
	return vars
}

func readK8sDoc(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(path.Join(k8sDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
