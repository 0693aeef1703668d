//! The demo requests of SPEC §8, made by the same code as real ones: each
//! is opened, pre-approved and decided through the request service at
//! times in the past, and what has run out is moved on by the real sweep,
//! so their rows and audit records are exactly what the product writes.
//!
//! Idempotent: a demo request that exists is left as it is.

use lockbox_shared::api::CreateAccessRequest;
use lockbox_shared::ids::{RequestId, TenantId};
use lockbox_shared::lifecycle::Verb;
use lockbox_shared::validation::Comment;

use crate::error::AppError;
use crate::service::{requests, Stamp};
use crate::store::{people, requests as store, Database, Stores};

const CONTOSO: &str = "7c0a8f4e-5a1b-4c3d-9e2f-000000000001";
const MINUTE: i64 = 60_000;

struct Step {
    verb: Verb,
    by: &'static str,
    minutes_ago: i64,
    comment: Option<&'static str>,
}

struct DemoRequest {
    id: &'static str,
    service: &'static str,
    /// The operations it asks for (of the sample service's).
    operations: &'static [&'static str],
    ticket: &'static str,
    reason: &'static str,
    duration_minutes: u32,
    requester: &'static str,
    minutes_ago: i64,
    steps: &'static [Step],
}

const MANAGER: &str = "manager@provider.example";

const DEMO: [DemoRequest; 5] = [
    // Waiting for Contoso's approvers.
    DemoRequest {
        id: "a11ce000-0000-4000-8000-000000000001",
        service: "mail",
        operations: &[
            "Get-Mailbox",
            "Get-MailboxStatistics",
            "Get-MailboxFolderStatistics",
            "Get-Message",
        ],
        ticket: "SR-10231",
        reason:
            "Shared mailbox stopped syncing after a migration; need to read its folder statistics.",
        duration_minutes: 120,
        requester: "engineer1@provider.example",
        minutes_ago: 60,
        steps: &[Step {
            verb: Verb::Preapprove,
            by: MANAGER,
            minutes_ago: 50,
            comment: Some("Ticket verified with the customer."),
        }],
    },
    // A live grant: approved 30 minutes ago for 4 hours.
    DemoRequest {
        id: "a11ce000-0000-4000-8000-000000000002",
        service: "sites",
        operations: &["Get-Site", "Get-SiteFileList", "Get-SiteFile"],
        ticket: "SR-10198",
        reason: "Site collection returns 500 on the document library; need to list its files.",
        duration_minutes: 240,
        requester: "engineer2@provider.example",
        minutes_ago: 90,
        steps: &[
            Step {
                verb: Verb::Preapprove,
                by: MANAGER,
                minutes_ago: 83,
                comment: None,
            },
            Step {
                verb: Verb::Approve,
                by: "approver1@contoso.example",
                minutes_ago: 30,
                comment: Some("Approved for the library only."),
            },
        ],
    },
    // Denied by Contoso yesterday.
    DemoRequest {
        id: "a11ce000-0000-4000-8000-000000000003",
        service: "files",
        operations: &["Get-DriveItemList", "Get-DriveItem"],
        ticket: "SR-10107",
        reason: "Customer reports a corrupted spreadsheet; need to read the file.",
        duration_minutes: 60,
        requester: "engineer1@provider.example",
        minutes_ago: 1500,
        steps: &[
            Step {
                verb: Verb::Preapprove,
                by: MANAGER,
                minutes_ago: 1483,
                comment: None,
            },
            Step {
                verb: Verb::Deny,
                by: "approver2@contoso.example",
                minutes_ago: 1466,
                comment: Some("We will send the file ourselves."),
            },
        ],
    },
    // Expired: nobody at Contoso answered within 12 hours.
    DemoRequest {
        id: "a11ce000-0000-4000-8000-000000000004",
        service: "mail",
        operations: &[
            "Get-Mailbox",
            "Get-MailboxStatistics",
            "Get-MailboxFolderStatistics",
            "Get-Message",
        ],
        ticket: "SR-10002",
        reason: "Mail flow rule misbehaves; need to read one message header.",
        duration_minutes: 30,
        requester: "engineer2@provider.example",
        minutes_ago: 3333,
        steps: &[Step {
            verb: Verb::Preapprove,
            by: MANAGER,
            minutes_ago: 3316,
            comment: None,
        }],
    },
    // Waiting for the support manager.
    DemoRequest {
        id: "a11ce000-0000-4000-8000-000000000005",
        service: "files",
        operations: &["Get-DriveItemList", "Get-DriveItem"],
        ticket: "SR-10240",
        reason: "OneDrive sync error 0x8004de40 on one user; need to list the folder.",
        duration_minutes: 45,
        requester: "engineer2@provider.example",
        minutes_ago: 10,
        steps: &[],
    },
];

/// The documentation address each side's demo actions come from.
fn ip_of(email: &str) -> &'static str {
    if email == MANAGER {
        "198.51.100.21"
    } else if email.ends_with("@provider.example") {
        "198.51.100.20"
    } else {
        "203.0.113.40"
    }
}

async fn person<D: Database>(
    db: &D,
    email: &str,
) -> Result<lockbox_shared::roles::Principal, AppError> {
    people::principal(db, email)
        .await?
        .ok_or_else(|| AppError::Internal(format!("demo person {email} is not seeded")))
}

/// Registers the demo service with `key` (when there is one), whose
/// operations the demo requests ask for, then makes the demo requests that
/// do not exist yet ([`seed`]); returns how many it made.
pub async fn seed_with_service<S: Stores>(
    stores: &S,
    key: Option<&lockbox_provider::assertion::ServiceKey>,
    now: i64,
    service_account: &str,
) -> Result<u32, AppError> {
    if let Some(key) = key {
        register_service(&stores.global(), key, now, service_account).await?;
    }
    seed(stores, now, service_account).await
}

/// Makes the demo requests that do not exist yet, as of `now`; returns how
/// many it made.
pub async fn seed<S: Stores>(stores: &S, now: i64, service_account: &str) -> Result<u32, AppError> {
    let db = &stores.global();
    let mut made = 0;
    for demo in &DEMO {
        let id = RequestId::parse(demo.id).map_err(AppError::invalid)?;
        let contoso = TenantId::parse(CONTOSO).map_err(AppError::invalid)?;
        if store::load(&stores.tenant(contoso), &id).await?.is_some() {
            continue;
        }
        let requester = person(db, demo.requester).await?;
        let input = CreateAccessRequest {
            tenant_id: CONTOSO.to_owned(),
            service: demo.service.to_owned(),
            ticket: demo.ticket.to_owned(),
            reason: demo.reason.to_owned(),
            duration_minutes: demo.duration_minutes,
            operations: demo.operations.iter().map(|op| (*op).to_owned()).collect(),
            emergency: None,
        };
        let stamp = Stamp {
            now: now - demo.minutes_ago * MINUTE,
            ip: ip_of(demo.requester),
            service_account,
        };
        requests::create_with_id(stores, &requester, &input, id.clone(), &stamp).await?;
        for step in demo.steps {
            let who = person(db, step.by).await?;
            let comment = step
                .comment
                .map(Comment::parse)
                .transpose()
                .map_err(AppError::invalid)?;
            let stamp = Stamp {
                now: now - step.minutes_ago * MINUTE,
                ip: ip_of(step.by),
                service_account,
            };
            requests::act(
                stores,
                &who,
                &id,
                step.verb,
                comment,
                requests::Granting::default(),
                None,
                &stamp,
                None,
            )
            .await?;
        }
        made += 1;
    }
    // What ran out in the past (the expired demo request) moves on now.
    crate::cron::sweep(stores, now, service_account).await?;
    Ok(made)
}

/// The sample provider service's registration (sample-provider/
/// registration.json, which that service derives from its catalog and
/// checks in its tests): its name, the services it serves, its operations.
const SAMPLE_REGISTRATION: &str = include_str!("../../sample-provider/registration.json");

/// The sample provider service as its integration admin registers it, with
/// `key`.
pub fn service_registration(
    key: &lockbox_provider::assertion::ServiceKey,
) -> Result<lockbox_shared::integration::ServiceRegistration, AppError> {
    use lockbox_shared::integration::{ServiceOperation, ServicePublicKey, ServiceRegistration};
    #[derive(serde::Deserialize)]
    struct Sample {
        name: String,
        serves: Vec<String>,
        operations: Vec<ServiceOperation>,
    }
    let sample: Sample = serde_json::from_str(SAMPLE_REGISTRATION)
        .map_err(|e| AppError::Internal(format!("sample-provider/registration.json: {e}")))?;
    let jwk = lockbox_provider::jwks::Jwk::of(&key.key.verifying_key(), &key.kid);
    Ok(ServiceRegistration {
        id: key.service.clone(),
        name: sample.name,
        serves: sample.serves,
        operations: sample.operations,
        keys: vec![ServicePublicKey {
            kty: jwk.kty,
            crv: jwk.crv,
            x: jwk.x,
            kid: jwk.kid,
        }],
        access_common_name: None,
    })
}

/// Registers the demo service with `key` unless it is registered with it
/// already (the provider log records the registration as the service
/// account's).
pub async fn register_service<D: Database>(
    db: &D,
    key: &lockbox_provider::assertion::ServiceKey,
    now: i64,
    service_account: &str,
) -> Result<bool, AppError> {
    use lockbox_shared::integration::ProviderActivity;
    let registration = service_registration(key)?;
    let before = crate::store::services::by_id(db, &registration.id).await?;
    if before.is_some_and(|b| b.registration == registration) {
        return Ok(false);
    }
    let details = std::collections::BTreeMap::from([
        ("Name".to_owned(), registration.name.clone()),
        ("KeyIds".to_owned(), key.kid.clone()),
    ]);
    db.batch(vec![
        crate::store::services::upsert(&registration, service_account, now),
        crate::store::services::log(
            ProviderActivity::RegisterService,
            &registration.id,
            service_account,
            &details,
            now,
            None,
        ),
    ])
    .await?;
    Ok(true)
}
