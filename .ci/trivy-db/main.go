// Command trivy-db writes a small, self-contained Trivy vulnerability DB
// (schema 2) so that the real trivy binary can scan images with no network:
// --skip-db-update accepts any cache dir holding db/trivy.db + db/metadata.json.
//
// The advisories come from a JSON spec, so the test bed can point them at
// packages that really exist in its base images:
//
//	{"advisories":[{"platform":"debian 12","package":"ca-certificates",
//	  "id":"CVE-2099-0001","severity":"CRITICAL","fixedVersion":"20230311+fix1"}]}
//
// An empty fixedVersion means "affected, no fix yet".
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

type advisorySpec struct {
	Platform     string `json:"platform"` // e.g. "debian 12": trivy looks up "<family> <major>"
	Package      string `json:"package"`  // source package name (dpkg "Source:", else the binary name)
	ID           string `json:"id"`
	Severity     string `json:"severity"`
	FixedVersion string `json:"fixedVersion"`
	Title        string `json:"title"`
	Description  string `json:"description"`
}

type spec struct {
	Advisories []advisorySpec `json:"advisories"`
}

// Trivy's integer severities (trivy-db pkg/types): UNKNOWN=0 … CRITICAL=4.
var severities = map[string]int{"UNKNOWN": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

// Status values stored for advisories without a fixed version (trivy-db pkg/types.Status).
const statusAffected = 2

type dataSource struct {
	ID   string `json:"ID"`
	Name string `json:"Name"`
	URL  string `json:"URL"`
}

var dataSources = map[string]dataSource{
	"debian": {ID: "debian", Name: "Debian Security Tracker", URL: "https://salsa.debian.org/security-tracker-team/security-tracker"},
}

func main() {
	specPath := flag.String("spec", "", "JSON spec with the advisories to write")
	cacheDir := flag.String("cache-dir", "", "trivy --cache-dir to populate (writes <cache-dir>/db/)")
	flag.Parse()
	if *specPath == "" || *cacheDir == "" {
		fmt.Fprintln(os.Stderr, "usage: trivy-db -spec spec.json -cache-dir DIR")
		os.Exit(2)
	}
	if err := run(*specPath, *cacheDir, time.Now().UTC()); err != nil {
		fmt.Fprintln(os.Stderr, "trivy-db:", err)
		os.Exit(1)
	}
}

func run(specPath, cacheDir string, now time.Time) error {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}
	if err := validate(s); err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}

	dbDir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return err
	}
	// Write next to the target and rename, so a scan never sees a half-written DB.
	tmp := filepath.Join(dbDir, "trivy.db.tmp")
	_ = os.Remove(tmp)
	if err := writeDB(tmp, s); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dbDir, "trivy.db")); err != nil {
		return err
	}

	// NextUpdate far ahead: the DB must never look stale, even if a caller forgets --skip-db-update.
	meta := map[string]any{
		"Version":      2,
		"NextUpdate":   now.AddDate(100, 0, 0),
		"UpdatedAt":    now,
		"DownloadedAt": now,
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dbDir, "metadata.json"), b, 0o644)
}

func validate(s spec) error {
	if len(s.Advisories) == 0 {
		return errors.New("no advisories: an empty DB has no platform buckets and proves nothing")
	}
	for i, a := range s.Advisories {
		if a.Platform == "" || a.Package == "" || a.ID == "" {
			return fmt.Errorf("advisory %d: platform, package and id are required", i)
		}
		if _, ok := severities[a.Severity]; !ok {
			return fmt.Errorf("advisory %d: severity %q is not one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL", i, a.Severity)
		}
		if _, ok := dataSources[family(a.Platform)]; !ok {
			return fmt.Errorf("advisory %d: no data source known for platform %q", i, a.Platform)
		}
	}
	return nil
}

func family(platform string) string {
	f, _, _ := strings.Cut(platform, " ")
	return f
}

func writeDB(path string, s spec) error {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, a := range s.Advisories {
			ds := dataSources[family(a.Platform)]
			advisory := map[string]any{}
			if a.FixedVersion != "" {
				advisory["FixedVersion"] = a.FixedVersion
			} else {
				advisory["Status"] = statusAffected
			}
			if err := put(tx, []string{a.Platform, a.Package}, a.ID, advisory); err != nil {
				return err
			}
			sev := severities[a.Severity]
			title := a.Title
			if title == "" {
				title = fmt.Sprintf("%s: test-bed vulnerability (%s)", a.Package, a.Severity)
			}
			desc := a.Description
			if desc == "" {
				desc = "Fictional advisory generated for offline scanning tests. It does not describe a real flaw."
			}
			vuln := map[string]any{
				"Title":          title,
				"Description":    desc,
				"Severity":       a.Severity,
				"VendorSeverity": map[string]int{ds.ID: sev, "nvd": sev},
				"References":     []string{"https://example.invalid/" + a.ID},
			}
			if err := put(tx, []string{"vulnerability"}, a.ID, vuln); err != nil {
				return err
			}
			if err := put(tx, []string{"vulnerability-id"}, a.ID, map[string]any{}); err != nil {
				return err
			}
			if err := put(tx, []string{"data-source"}, a.Platform, ds); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func put(tx *bolt.Tx, buckets []string, key string, value any) error {
	b, err := tx.CreateBucketIfNotExists([]byte(buckets[0]))
	if err != nil {
		return err
	}
	for _, name := range buckets[1:] {
		if b, err = b.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	v, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}
