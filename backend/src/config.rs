//! Bindings and variables, read once per invocation.

use worker::{console_error, Env, SendEmail};

use crate::auth::{DevKeys, Verifier};
use crate::error::AppError;

/// How e-mail leaves the Worker.
pub enum Mail {
    /// The `send_email` binding `EMAIL` and the sender address
    /// (`NOTIFY_FROM`).
    Binding { binding: SendEmail, from: String },
    /// Not configured: why, as the failed messages will say.
    Missing(String),
}

/// Everything a handler needs from the environment.
pub struct App {
    /// The static assets (binding `ASSETS`): the SPA and the API's
    /// description, which is served from there rather than built into the
    /// Worker.
    pub assets: Option<worker::Fetcher>,
    /// How e-mail is sent (in local development the sink is used instead).
    pub mail: Mail,
    /// The D1 database (binding `DB`).
    pub db: std::rc::Rc<crate::store::d1::Edge>,
    /// The rate limits that are bound.
    pub limits: crate::limits::Limiters,
    /// How tokens are checked, or why they cannot be.
    pub verifier: Result<Verifier, String>,
    /// The local sign-in, present only when the dev-only variables are set.
    pub dev: Option<DevKeys>,
    /// The user the audit log shows for Lockbox itself.
    pub service_account: String,
    /// The user the audit log shows for operations run under a grant
    /// (`<PROVIDER_NAME> Operator`).
    pub operator: String,
    /// The deployment's name (`LOCKBOX_DEPLOYMENT`): the service account's
    /// domain and the prefix of the audit checkpoints' origins.
    pub deployment: String,
    /// The key that signs audit checkpoints (the secret
    /// `AUDIT_SIGNING_KEY`, a base64 32-byte Ed25519 seed), or why there is
    /// none.
    pub audit_key: Result<lockbox_shared::tlog::SigningKey, String>,
    /// The key that signs grant tokens (the secret `GRANT_SIGNING_KEY`,
    /// and during a rotation `GRANT_SIGNING_KEY_PREVIOUS`, base64 32-byte
    /// Ed25519 seeds), or why there is none.
    pub grant_keys: Result<crate::service::integration::GrantKeys, String>,
    /// What seals webhook secrets at rest, or why nothing does.
    pub secrets: Result<crate::sealing::Sealer, String>,
    /// `https://<deployment>`: the grant tokens' issuer, and the audience
    /// of the assertions services sign in with.
    pub issuer: String,
    /// The demo service's key (local development only, with the dev
    /// sign-in): `POST /api/v1/dev/service-assertion` signs with it.
    pub dev_service: Option<lockbox_provider::assertion::ServiceKey>,
    /// The registered services the console's operations are forwarded to,
    /// by service binding: the sample provider service (binding
    /// `SAMPLE_PROVIDER`, registered as [`DEMO_SERVICE`]) when it is bound.
    pub forward: Vec<(String, worker::Fetcher)>,
    /// The tenants' Durable Objects (binding `TENANTS`), when bound.
    pub tenants: Option<worker::ObjectNamespace>,
    /// The notices queue (binding `NOTICES`), when bound: a change names
    /// its tenant to it, and the queue's consumer sends the messages of
    /// many changes in one pass. Without it, each change sends its own
    /// after its answer.
    pub notices: Option<worker::Queue>,
}

/// The notices queue's binding (wrangler.toml `[[queues.producers]]`).
pub const NOTICES: &str = "NOTICES";

/// The id of the demo provider service (local development).
pub const DEMO_SERVICE: &str = "svc:sample";

fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .ok()
        .or_else(|| var(env, name))
        .filter(|s| !s.trim().is_empty())
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.trim().is_empty())
}

/// What the dev-only variables ask for, given the rest of the configuration.
#[derive(Debug, PartialEq, Eq)]
enum DevMode {
    /// No dev variable is set: the normal case of a deployment.
    Off,
    /// The local sign-in, with its key pair (base64 PKCS#1 DER).
    On { private: String, public: String },
    /// Some dev variable is set next to `ACCESS_ISSUER`: a deployment with
    /// leftovers of local development. The local sign-in stays off.
    Refused,
}

fn dev_mode(
    switch: Option<String>,
    private: Option<String>,
    public: Option<String>,
    access_issuer_set: bool,
) -> DevMode {
    if access_issuer_set {
        if switch.is_some() || private.is_some() || public.is_some() {
            return DevMode::Refused;
        }
        return DevMode::Off;
    }
    match (switch.as_deref(), private, public) {
        (Some("1"), Some(private), Some(public)) => DevMode::On { private, public },
        _ => DevMode::Off,
    }
}

thread_local! {
    /// Whether this isolate has noted the keys it signs with.
    static KEYS_NOTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl App {
    /// The keys this deployment signs with now.
    pub fn keys_in_use(&self) -> Vec<crate::keys::InUse> {
        let mut keys = Vec::new();
        if let Ok(key) = &self.audit_key {
            keys.push(crate::keys::InUse {
                purpose: crate::keys::Purpose::Audit,
                key_id: key.key_id(),
                public_key: key.verifier_key(),
            });
        }
        if let Ok(keys_of_grants) = &self.grant_keys {
            keys.push(keys_of_grants.in_use());
        }
        keys
    }

    /// Notes the keys in use, once per isolate, before anything is signed
    /// with them (`keys`). A failure is logged and tried again on the
    /// next signing: the signature is good either way, and the current
    /// key is published whether noted or not.
    pub async fn note_keys(&self, now: i64) {
        if KEYS_NOTED.with(std::cell::Cell::get) {
            return;
        }
        match crate::keys::note_all(&*self.db, &self.keys_in_use(), now).await {
            Ok(()) => KEYS_NOTED.with(|n| n.set(true)),
            Err(err) => worker::console_error!("noting the signing keys: {err:?}"),
        }
    }

    /// Reads the bindings; a missing one is a deployment mistake, reported as such.
    pub fn from_env(env: &Env) -> Result<Self, AppError> {
        let db = env
            .d1("DB")
            .map_err(|err| AppError::Misconfigured(format!("D1 binding `DB`: {err}")))?;

        // The dev sign-in exists only when `wrangler dev` is started with
        // these variables (scripts/lib.sh writes them to .dev.vars); they are
        // never in wrangler.toml. A deployment names its Access issuer, and
        // with one set the dev variables are refused, whatever else is set.
        let dev = match dev_mode(
            var(env, "LOCKBOX_DEV_AUTH"),
            var(env, "LOCKBOX_DEV_PRIVATE_KEY"),
            var(env, "LOCKBOX_DEV_PUBLIC_KEY"),
            var(env, "ACCESS_ISSUER").is_some(),
        ) {
            DevMode::Off => None,
            DevMode::Refused => {
                console_error!(
                    "misconfigured: LOCKBOX_DEV_* variables are set together with ACCESS_ISSUER; \
                     the local sign-in stays off. Remove the LOCKBOX_DEV_* variables from this deployment."
                );
                None
            }
            DevMode::On { private, public } => Some(
                DevKeys::from_base64_der(&private, &public)
                    .map_err(|err| AppError::Misconfigured(format!("dev keys: {err}")))?,
            ),
        };

        let verifier = match &dev {
            Some(keys) => Ok(Verifier::dev(keys)),
            None => match (var(env, "ACCESS_ISSUER"), var(env, "ACCESS_AUD")) {
                (Some(issuer), Some(audience)) => Ok(Verifier::access(issuer, audience)),
                _ => Err("ACCESS_ISSUER and ACCESS_AUD must be set to the Cloudflare Access team domain and application audience".to_owned()),
            },
        };
        let deployment =
            var(env, "LOCKBOX_DEPLOYMENT").unwrap_or_else(|| "lockbox.local".to_owned());
        let audit_key = match env
            .secret("AUDIT_SIGNING_KEY")
            .map(|s| s.to_string())
            .ok()
            .or_else(|| var(env, "AUDIT_SIGNING_KEY"))
            .filter(|s| !s.trim().is_empty())
        {
            Some(seed) => lockbox_shared::tlog::SigningKey::from_seed_base64(&deployment, &seed)
                .map_err(|e| format!("AUDIT_SIGNING_KEY: {e}")),
            None => Err("AUDIT_SIGNING_KEY is not set: put a base64 32-byte seed there with `wrangler secret put AUDIT_SIGNING_KEY`".to_owned()),
        };
        let grant_keys = match secret(env, "GRANT_SIGNING_KEY") {
            Some(seed) => crate::service::integration::GrantKeys::from_seeds(
                &seed,
                secret(env, "GRANT_SIGNING_KEY_PREVIOUS").as_deref(),
            )
            .map_err(|e| format!("GRANT_SIGNING_KEY: {e}")),
            None => Err("GRANT_SIGNING_KEY is not set: put a base64 32-byte seed there with `wrangler secret put GRANT_SIGNING_KEY`".to_owned()),
        };
        let secrets = match secret(env, "WEBHOOK_SECRETS_KEY") {
            Some(key) => crate::sealing::Sealer::from_seeds(
                &key,
                secret(env, "WEBHOOK_SECRETS_KEY_PREVIOUS").as_deref(),
            ),
            None => Err("WEBHOOK_SECRETS_KEY is not set: put a base64 32-byte key there with `wrangler secret put WEBHOOK_SECRETS_KEY` (webhook secrets are stored sealed with it)".to_owned()),
        };
        let dev_service = match (&dev, var(env, "LOCKBOX_DEV_SERVICE_KEY")) {
            (Some(_), Some(seed)) => {
                let key = lockbox_provider::jose::signing_key_from_base64(&seed).map_err(|e| {
                    AppError::Misconfigured(format!("LOCKBOX_DEV_SERVICE_KEY: {e}"))
                })?;
                Some(lockbox_provider::assertion::ServiceKey {
                    service: DEMO_SERVICE.to_owned(),
                    kid: lockbox_provider::jwks::thumbprint(&key.verifying_key()),
                    key,
                })
            }
            _ => None,
        };
        let mail = match (env.send_email("EMAIL"), var(env, "NOTIFY_FROM")) {
            (Ok(binding), Some(from)) => Mail::Binding { binding, from },
            (Err(_), _) => Mail::Missing(
                "no e-mail binding: add [[send_email]] name = \"EMAIL\" to wrangler.toml"
                    .to_owned(),
            ),
            (Ok(_), None) => Mail::Missing(
                "NOTIFY_FROM is not set: name the sender address in wrangler.toml [vars]"
                    .to_owned(),
            ),
        };
        Ok(Self {
            assets: env.assets("ASSETS").ok(),
            mail,
            db: std::rc::Rc::new(crate::store::d1::Edge::new(
                db,
                env.durable_object("TENANTS").ok(),
            )),
            verifier,
            dev,
            limits: crate::limits::Limiters::from_env(env),
            audit_key,
            service_account: lockbox_shared::audit::service_account(&deployment),
            operator: lockbox_shared::audit::operator(
                &var(env, "PROVIDER_NAME").unwrap_or_else(|| "Provider".to_owned()),
            ),
            issuer: format!("https://{deployment}"),
            grant_keys,
            secrets,
            dev_service,
            tenants: env.durable_object("TENANTS").ok(),
            notices: env.queue(NOTICES).ok(),
            forward: env
                .service("SAMPLE_PROVIDER")
                .map(|f| vec![(DEMO_SERVICE.to_owned(), f)])
                .unwrap_or_default(),
            deployment,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(value: &str) -> Option<String> {
        Some(value.to_owned())
    }

    #[test]
    fn the_dev_variables_turn_the_local_sign_in_on_without_an_access_issuer() {
        assert_eq!(
            dev_mode(some("1"), some("priv"), some("pub"), false),
            DevMode::On {
                private: "priv".into(),
                public: "pub".into()
            }
        );
    }

    #[test]
    fn the_dev_variables_are_refused_next_to_an_access_issuer() {
        assert_eq!(
            dev_mode(some("1"), some("priv"), some("pub"), true),
            DevMode::Refused
        );
        assert_eq!(dev_mode(None, some("priv"), None, true), DevMode::Refused);
    }

    #[test]
    fn a_deployment_without_dev_variables_has_no_local_sign_in() {
        assert_eq!(dev_mode(None, None, None, true), DevMode::Off);
        assert_eq!(dev_mode(None, None, None, false), DevMode::Off);
    }

    #[test]
    fn the_local_sign_in_needs_the_switch_and_both_keys() {
        assert_eq!(
            dev_mode(some("0"), some("priv"), some("pub"), false),
            DevMode::Off
        );
        assert_eq!(dev_mode(some("1"), None, some("pub"), false), DevMode::Off);
        assert_eq!(dev_mode(some("1"), some("priv"), None, false), DevMode::Off);
    }
}
