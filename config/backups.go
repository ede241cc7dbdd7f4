package config

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Backups configures scheduled CSI snapshots of the data claims that live in the cluster, and restores.
type Backups struct {
	// Schedule is the cron schedule of the snapshots (UTC): five fields, or a macro such as @daily;
	// unset turns scheduled snapshots off.
	Schedule string `json:"schedule"`
	// Keep is how many snapshots of each claim are kept (1 to 100); older ones are deleted after each run.
	Keep int `json:"keep"`
	// SnapshotClass is the VolumeSnapshotClass of the data claims' CSI driver, required with a schedule.
	SnapshotClass string `json:"snapshotClass"`
	// APIServerCIDRs and APIServerPort are where the snapshot job reaches the Kubernetes API, the one pod
	// of the stack that talks to it; the CIDRs are required with a schedule.
	APIServerCIDRs []string `json:"apiServerCIDRs"`
	APIServerPort  int      `json:"apiServerPort"`
	// RestoreFrom names, per data claim, a VolumeSnapshot a new claim is filled from.
	RestoreFrom RestoreFrom `json:"restoreFrom"`
}

// RestoreFrom names a VolumeSnapshot per data claim of the in-cluster data services.
type RestoreFrom struct {
	// PostgresData is the VolumeSnapshot a new Postgres claim is filled from (in-cluster Postgres only).
	PostgresData string `json:"postgresData"`
	// RedisData is the VolumeSnapshot a new Redis claim is filled from (in-cluster Redis only).
	RedisData string `json:"redisData"`
	// ChromaData is the VolumeSnapshot a new ChromaDB claim is filled from (in-cluster ChromaDB only).
	ChromaData string `json:"chromaData"`
}

// SnapshotsEnabled reports whether scheduled snapshots run.
func (b Backups) SnapshotsEnabled() bool { return b.Schedule != "" }

// defaultBackups keep a week of daily snapshots once a schedule is set.
func defaultBackups() Backups {
	return Backups{Keep: 7, APIServerPort: 443}
}

// validateBackups checks the schedule, the class and the API server, and the snapshots to restore from.
func (c *Config) validateBackups(v *validator) {
	b := &c.Backups
	if b.SnapshotsEnabled() {
		if len(strings.Fields(b.Schedule)) != 5 && !strings.HasPrefix(b.Schedule, "@") {
			v.refuse(&b.Schedule, "must be a cron schedule of five fields (e.g. \"0 3 * * *\") or a macro such as @daily")
		}
		if msgs := validation.IsDNS1123Subdomain(b.SnapshotClass); len(msgs) > 0 {
			v.refuse(&b.SnapshotClass, "must name the VolumeSnapshotClass of the data claims when %s is set", c.keyOf(&b.Schedule))
		}
		if len(b.APIServerCIDRs) == 0 {
			v.fail(c.keyOf(&b.APIServerCIDRs), nil, "is required when %s is set: the snapshot job is the one pod that reaches the Kubernetes API, and only there", c.keyOf(&b.Schedule))
		} else {
			v.cidrs(&b.APIServerCIDRs)
		}
		if msgs := validation.IsValidPortNum(b.APIServerPort); len(msgs) > 0 {
			v.refuse(&b.APIServerPort, "must be a port number between 1 and 65535")
		}
	}
	if b.Keep < 1 || b.Keep > 100 {
		v.refuse(&b.Keep, "must be between 1 and 100")
	}
	restores := []struct {
		name *string
		svc  DataService
	}{{&b.RestoreFrom.PostgresData, c.Postgres}, {&b.RestoreFrom.RedisData, c.Redis}, {&b.RestoreFrom.ChromaData, c.Chroma}}
	for _, r := range restores {
		switch {
		case *r.name == "":
		case r.svc.IsExternal():
			v.refuse(r.name, "names a snapshot for a claim this stack does not have: the service is external")
		default:
			if msgs := validation.IsDNS1123Subdomain(*r.name); len(msgs) > 0 {
				v.refuse(r.name, "must name a VolumeSnapshot in the namespace")
			}
		}
	}
}
