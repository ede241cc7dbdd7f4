package components

import (
	"fmt"
	"net"
	"regexp"
	"strconv"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"sigs.k8s.io/yaml"

	"github.com/jdjones/jd-jones-rag-infra/config"
)

// Alertmanager's objects, ports and files.
const (
	AlertmanagerName   = "alertmanager"
	AlertmanagerConfig = "alertmanager-config"
	// AlertmanagerReceivers is the Secret of the receivers' credentials, one file each.
	AlertmanagerReceivers = "alertmanager-receivers"
	alertmanagerPort      = 9093
	// alertmanagerClusterPort is where the replicas gossip silences and the notification log (TCP and UDP).
	alertmanagerClusterPort = 9094
	// alertmanagerUID is nobody, the image's user.
	alertmanagerUID = 65534
	// alertmanagerClaimSize holds the notification log and the silences, a few megabytes at most.
	alertmanagerClaimSize = "1Gi"
	// alertmanagerSecretsDir is where the receivers' credentials are mounted: beside the configuration's
	// directory, not inside it (a ConfigMap's read-only volume cannot hold another volume's mount point).
	alertmanagerSecretsDir = "/etc/alertmanager-receivers"
	webhookURLFile         = "webhook-url"
	smtpPasswordFile       = "smtp-password"
	// AlertReceivers is the name the flows give the webhook and SMTP endpoints Alertmanager notifies.
	AlertReceivers = "alert-receivers"
	// webhookPort is the webhook's port: its URL is a secret the network policies cannot read, so it
	// must be https on the default port.
	webhookPort = 443
)

// Receivers of the Alertmanager configuration. Critical alerts page, warnings wait; both reach every
// configured notifier. nullReceiver, with no notifier, is the only one when none is configured.
const (
	criticalReceiver = "critical"
	warningReceiver  = "warning"
	nullReceiver     = "null"
)

// alertmanagerFile is the Alertmanager configuration the stack writes (alertmanager.yml). It holds no
// credential: the notifiers read theirs from files (url_file, auth_password_file).
type alertmanagerFile struct {
	Route        alertRoute      `json:"route"`
	Receivers    []alertReceiver `json:"receivers"`
	InhibitRules []inhibitRule   `json:"inhibit_rules,omitempty"`
}

type alertRoute struct {
	Receiver       string       `json:"receiver"`
	Matchers       []string     `json:"matchers,omitempty"`
	GroupBy        []string     `json:"group_by,omitempty"`
	GroupWait      string       `json:"group_wait,omitempty"`
	GroupInterval  string       `json:"group_interval,omitempty"`
	RepeatInterval string       `json:"repeat_interval,omitempty"`
	Routes         []alertRoute `json:"routes,omitempty"`
}

type alertReceiver struct {
	Name           string          `json:"name"`
	WebhookConfigs []webhookConfig `json:"webhook_configs,omitempty"`
	EmailConfigs   []emailConfig   `json:"email_configs,omitempty"`
}

type webhookConfig struct {
	URLFile      string `json:"url_file"`
	SendResolved bool   `json:"send_resolved"`
}

type emailConfig struct {
	To               string `json:"to"`
	From             string `json:"from"`
	Smarthost        string `json:"smarthost"`
	AuthUsername     string `json:"auth_username,omitempty"`
	AuthPasswordFile string `json:"auth_password_file,omitempty"`
	SendResolved     bool   `json:"send_resolved"`
}

// inhibitRule mutes the alerts matching TargetMatchers while an alert matching SourceMatchers fires
// with the same values of the Equal labels.
type inhibitRule struct {
	SourceMatchers []string `json:"source_matchers"`
	TargetMatchers []string `json:"target_matchers"`
	Equal          []string `json:"equal,omitempty"`
}

// alertReceiverSet is what notifies: the webhook and email as the stack configures them.
type alertReceiverSet struct {
	webhook bool
	email   bool
	// smtpAuth is set when the stack supplies the SMTP password.
	smtpAuth bool
}

// alertReceivers are the notifiers the stack configures: a webhook when alertWebhookUrl is set, email
// when monitoring.alertmanager.emailTo is.
func alertReceivers(c *config.Config) alertReceiverSet {
	email := c.Monitoring.Alertmanager.EmailTo != ""
	return alertReceiverSet{webhook: c.Supplied.AlertWebhookURL, email: email, smtpAuth: email && c.Supplied.AlertSMTPPassword}
}

// none reports whether nothing notifies.
func (r alertReceiverSet) none() bool { return !r.webhook && !r.email }

// alertReceiverPorts are the ports Alertmanager sends notifications to: the webhook's (443) and the SMTP
// smarthost's; none when nothing notifies.
func alertReceiverPorts(c *config.Config) []netPort {
	r := alertReceivers(c)
	var ports []int
	if r.webhook {
		ports = append(ports, webhookPort)
	}
	if r.email {
		// alertmanagerConfig refuses a smarthost without a port before any policy is written.
		if _, p, err := net.SplitHostPort(c.Monitoring.Alertmanager.SMTPSmarthost); err == nil {
			if n, err := strconv.Atoi(p); err == nil && n != webhookPort {
				ports = append(ports, n)
			}
		}
	}
	return tcp(ports...)
}

// alertReceiverDestination is where Alertmanager may send notifications: monitoring.alertmanager.egressCIDRs
// when set, otherwise any public address; on the receivers' ports.
func alertReceiverDestination(c *config.Config) reach {
	ports := alertReceiverPorts(c)
	if cidrs := c.Monitoring.Alertmanager.EgressCIDRs; len(cidrs) > 0 {
		return reach{cidrs: cidrs, ports: ports}
	}
	return publicDestination(c, ports)
}

// alertmanagerConfig is alertmanager.yml: alerts grouped by name and service, routed by severity to the
// configured notifiers (or to nothing), and symptoms muted while the outage that explains them fires.
func alertmanagerConfig(c *config.Config) (string, error) {
	r := alertReceivers(c)
	file := alertmanagerFile{InhibitRules: inhibitRules(c)}
	if r.none() {
		file.Route = alertRoute{Receiver: nullReceiver, GroupBy: alertGrouping}
		file.Receivers = []alertReceiver{{Name: nullReceiver}}
	} else {
		notifiers, err := alertNotifiers(c, r)
		if err != nil {
			return "", err
		}
		critical, warning := notifiers, notifiers
		critical.Name, warning.Name = criticalReceiver, warningReceiver
		file.Receivers = []alertReceiver{critical, warning}
		// An alert without a known severity is not lost: it goes where warnings go.
		file.Route = alertRoute{
			Receiver: warningReceiver, GroupBy: alertGrouping,
			GroupWait: "30s", GroupInterval: "5m", RepeatInterval: "12h",
			Routes: []alertRoute{
				{Receiver: criticalReceiver, Matchers: []string{`severity="critical"`}, GroupWait: "10s", RepeatInterval: "1h"},
				{Receiver: warningReceiver, Matchers: []string{`severity="warning"`}},
			},
		}
	}
	out, err := yaml.Marshal(file)
	if err != nil {
		return "", fmt.Errorf("alertmanager config: %w", err)
	}
	return string(out), nil
}

// alertGrouping batches the alerts of one rule about one service into one notification.
var alertGrouping = []string{"alertname", "service"}

// alertNotifiers is a receiver (without its name) holding every configured notifier.
func alertNotifiers(c *config.Config, r alertReceiverSet) (alertReceiver, error) {
	var out alertReceiver
	if r.webhook {
		out.WebhookConfigs = []webhookConfig{{URLFile: alertmanagerSecretsDir + "/" + webhookURLFile, SendResolved: true}}
	}
	if r.email {
		a := c.Monitoring.Alertmanager
		if _, _, err := net.SplitHostPort(a.SMTPSmarthost); err != nil || a.EmailFrom == "" {
			return out, fmt.Errorf("alertmanager config: monitoring.alertmanager.emailTo needs emailFrom and smtpSmarthost as host:port")
		}
		email := emailConfig{To: a.EmailTo, From: a.EmailFrom, Smarthost: a.SMTPSmarthost, SendResolved: true}
		if r.smtpAuth {
			// The configuration has no SMTP user of its own: the sender's address logs in.
			email.AuthUsername = a.EmailFrom
			email.AuthPasswordFile = alertmanagerSecretsDir + "/" + smtpPasswordFile
		}
		out.EmailConfigs = []emailConfig{email}
	}
	return out, nil
}

// inhibitRules follow the labels of the rule file (monitoring/alerts.yml): while an alert with down="true"
// and service="S" fires, every alert whose depends_on lists S is muted; a critical alert mutes the warning
// of the same name about the same service.
func inhibitRules(c *config.Config) []inhibitRule {
	rules := []inhibitRule{{
		SourceMatchers: []string{`severity="critical"`},
		TargetMatchers: []string{`severity="warning"`},
		Equal:          []string{"alertname", "service"},
	}}
	for _, p := range peers(c) {
		rules = append(rules, inhibitRule{
			SourceMatchers: []string{`down="true"`, `service="` + p.name + `"`},
			TargetMatchers: []string{`depends_on=~"(.*,)?` + regexp.QuoteMeta(p.name) + `(,.*)?"`},
		})
	}
	return rules
}

// alertmanagerPeers are the cluster addresses of every replica, through the headless Service.
func alertmanagerPeers(c *config.Config) []string {
	var out []string
	for i := range c.Workloads.Alertmanager.Replicas {
		out = append(out, fmt.Sprintf("%s-%d.%s.%s.svc:%d", AlertmanagerName, i, headlessServiceName(AlertmanagerName), c.Namespace, alertmanagerClusterPort))
	}
	return out
}

// alertmanagerArgs are Alertmanager's flags: one replica runs alone; several form a cluster through the
// headless Service, so that each notification is sent once and silences reach every replica.
func alertmanagerArgs(c *config.Config) []string {
	args := []string{
		"--config.file=/etc/alertmanager/alertmanager.yml",
		"--storage.path=/alertmanager",
		"--web.listen-address=:" + strconv.Itoa(alertmanagerPort),
	}
	if c.Workloads.Alertmanager.Replicas < 2 {
		return append(args, "--cluster.listen-address=")
	}
	cluster := strconv.Itoa(alertmanagerClusterPort)
	args = append(args,
		"--cluster.listen-address=0.0.0.0:"+cluster,
		// The pod's own address, which need not be private (Alertmanager refuses to guess a public one).
		"--cluster.advertise-address=[$(POD_IP)]:"+cluster)
	for _, peer := range alertmanagerPeers(c) {
		args = append(args, "--cluster.peer="+peer)
	}
	return args
}

// alertmanager registers the receivers' Secret (when any credential is supplied), the headless Service
// through which Prometheus and the replicas find each other, and the StatefulSet with a small claim each.
func (b *builder) alertmanager(c *config.Config) error {
	file, err := alertmanagerConfig(c)
	if err != nil {
		return err
	}
	secret, err := b.alertmanagerSecret(c)
	if err != nil {
		return err
	}
	volumes := corev1.VolumeArray{configMapVolume("config", AlertmanagerConfig)}
	mounts := corev1.VolumeMountArray{mount("config", "/etc/alertmanager"), mount("alertmanager-data", "/alertmanager")}
	var opts []pulumi.ResourceOption
	if secret != nil {
		// Alertmanager reads the files at every notification, so a new credential needs no restart; the
		// pod cannot start before the Secret exists.
		volumes = append(volumes, secretVolume("receivers", AlertmanagerReceivers))
		mounts = append(mounts, readOnlyMount("receivers", alertmanagerSecretsDir))
		opts = append(opts, pulumi.DependsOn([]pulumi.Resource{secret}))
	}
	replicas := c.Workloads.Alertmanager.Replicas
	headless := headlessServiceName(AlertmanagerName)
	ports := []port{{"http", alertmanagerPort}}
	if replicas > 1 {
		ports = append(ports, port{"cluster", alertmanagerClusterPort})
	}
	if _, err := b.newService("monitoring", service{name: headless, selects: AlertmanagerName, ports: ports, headless: true}); err != nil {
		return err
	}
	if _, err := b.newStatefulSet(statefulSet{
		replicas: replicas, parallel: true, serviceName: headless,
		// The notification log and the silences: with an emptyDir a restart of a lone replica would forget
		// every silence and notify again what was already sent.
		claims: []claimTemplate{{name: "alertmanager-data", storageClass: c.Storage.ClassName, size: alertmanagerClaimSize}},
		pod: pod{
			name: AlertmanagerName, spread: true, component: "monitoring", uid: alertmanagerUID, options: c.Workloads.Alertmanager.Pod,
			configMaps: []configMapFiles{{name: AlertmanagerConfig, files: map[string]string{"alertmanager.yml": file}}},
			volumes:    volumes,
			containers: []container{{
				name: AlertmanagerName, image: c.Images.Alertmanager,
				args:  alertmanagerArgs(c),
				ports: ports,
				env: corev1.EnvVarArray{corev1.EnvVarArgs{
					Name:      pulumi.String("POD_IP"),
					ValueFrom: corev1.EnvVarSourceArgs{FieldRef: corev1.ObjectFieldSelectorArgs{FieldPath: pulumi.String("status.podIP")}},
				}},
				mounts:    mounts,
				resources: c.Workloads.Alertmanager.Resources,
				liveness:  httpProbe("/-/healthy", "http", livenessTiming),
				readiness: httpProbe("/-/ready", "http", readinessTiming),
			}},
		},
	}, opts...); err != nil {
		return err
	}
	if replicas > 1 {
		return b.disruptionBudget(AlertmanagerName, "monitoring", false)
	}
	return nil
}

// alertmanagerSecret registers the Secret of the supplied receivers' credentials, every value a Pulumi
// secret; nil when the stack supplies none that a receiver uses.
func (b *builder) alertmanagerSecret(c *config.Config) (*corev1.Secret, error) {
	r := alertReceivers(c)
	data := pulumi.StringMap{}
	if r.webhook {
		data[webhookURLFile] = pconfig.RequireSecret(b.ctx, config.Project+":"+config.AlertWebhookURLKey)
	}
	if r.smtpAuth {
		data[smtpPasswordFile] = pconfig.RequireSecret(b.ctx, config.Project+":"+config.AlertSMTPPasswordKey)
	}
	if len(data) == 0 {
		return nil, nil
	}
	secret, err := corev1.NewSecret(b.ctx, b.child(AlertmanagerReceivers), &corev1.SecretArgs{
		Metadata:   b.scope.meta(AlertmanagerReceivers, "monitoring"),
		Type:       pulumi.String("Opaque"),
		StringData: data,
	}, b.opts(nil)...)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", AlertmanagerReceivers, err)
	}
	return secret, nil
}
