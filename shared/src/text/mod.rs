//! Every sentence people read, in every language Lockbox speaks: one
//! function per message (`text::sign_out(lang)`), written once here for the
//! pages and the Worker alike. Italian follows `GLOSSARY.md` and addresses
//! the reader with *tu*. Stored audit values (activity and operation
//! names, user strings) are never translated, so none is here.

pub mod mail;
pub mod problems;

use crate::i18n::plural;
use crate::lifecycle::State;
use crate::messages;

/// A request's state as people read it (the states are feminine in
/// Italian: *la richiesta*).
pub const fn state(lang: crate::i18n::Lang, state: State) -> &'static str {
    use State::*;
    match state {
        PendingManagerApproval => state_awaiting_manager(lang),
        PendingCustomerApproval => state_pending(lang),
        Approved => state_approved(lang),
        Denied => state_denied(lang),
        Rejected => state_rejected(lang),
        Expired => state_expired(lang),
        Cancelled => state_cancelled(lang),
        Revoked => state_revoked(lang),
        Completed => state_completed(lang),
    }
}

/// A customer role's name as people read it (the value the API takes
/// stays the role's tag).
pub const fn role_name(lang: crate::i18n::Lang, role: crate::roles::CustomerRole) -> &'static str {
    use crate::roles::CustomerRole::*;
    match role {
        GlobalAdmin => role_global_admin(lang),
        Approver => role_approver(lang),
        Auditor => role_auditor(lang),
    }
}

/// A provider role's name as people read it.
pub const fn provider_role_name(
    lang: crate::i18n::Lang,
    role: crate::roles::ProviderRole,
) -> &'static str {
    use crate::roles::ProviderRole::*;
    match role {
        SupportEngineer => role_support_engineer(lang),
        SupportManager => role_support_manager(lang),
        IntegrationAdmin => role_integration_admin(lang),
    }
}

messages! {
    // The frame of every page.
    language() { en: "Language", it: "Lingua" }
    sign_in() { en: "Sign in", it: "Accedi" }
    sign_out() { en: "Sign out", it: "Esci" }
    main_navigation() { en: "Main", it: "Principale" }
    loading() { en: "Loading…", it: "Caricamento…" }
    cancel() { en: "Cancel", it: "Annulla" }
    working() { en: "Working…", it: "In corso…" }
    retry() { en: "Retry", it: "Riprova" }
    try_again() { en: "Try again", it: "Riprova tra poco" }

    // Roles (GLOSSARY.md).
    role_global_admin() { en: "Global admin", it: "Amministratore globale" }
    role_approver() { en: "Lockbox access approver", it: "Responsabile approvazione accesso Customer Lockbox" }
    role_auditor() { en: "Auditor", it: "Revisore" }
    role_support_engineer() { en: "Support engineer", it: "Tecnico del supporto" }
    role_support_manager() { en: "Support manager", it: "Responsabile del supporto" }
    role_integration_admin() { en: "Integration admin", it: "Amministratore delle integrazioni" }

    // Security & Privacy: the organisation's default language.
    default_language_title() { en: "Default language", it: "Lingua predefinita" }
    default_language_intro() {
        en: "E-mails to the people of your organisation who chose no language are written in it, and the pages use it when their browser asks for a language Lockbox does not speak. Webhooks carry their text in it.",
        it: "È la lingua delle e-mail alle persone della tua organizzazione che non ne hanno scelta una, e delle pagine quando il loro browser chiede una lingua che Lockbox non parla. Anche il testo dei webhook è in questa lingua.",
    }
    default_language_now() { en: "Now: ", it: "Attuale: " }
    default_language_field() { en: "Language for your organisation", it: "Lingua dell'organizzazione" }
    default_language_save() { en: "Save language", it: "Salva lingua" }
    default_language_saved(name: &str) {
        en: format!("Saved. New e-mails to people who chose no language are written in {name}."),
        it: format!("Salvato. Le nuove e-mail alle persone che non hanno scelto una lingua sono scritte in {name}."),
    }

    // The navigation.
    nav_my_requests() { en: "My requests", it: "Le mie richieste" }
    nav_preapprovals() { en: "Pre-approvals", it: "Pre-approvazioni" }
    nav_services() { en: "Services", it: "Servizi" }
    nav_support() { en: "Support", it: "Supporto" }
    nav_audit() { en: "Audit log", it: "Log di controllo" }
    nav_settings() { en: "Settings", it: "Impostazioni" }
    nav_roles() { en: "Roles", it: "Ruoli" }
    nav_notifications() { en: "Notifications", it: "Notifiche" }

    // States.
    state_awaiting_manager() { en: "Awaiting manager", it: "In attesa del responsabile" }
    state_pending() { en: "Pending", it: "In sospeso" }
    state_approved() { en: "Approved", it: "Approvata" }
    state_denied() { en: "Denied", it: "Rifiutata" }
    state_rejected() { en: "Rejected by manager", it: "Respinta dal responsabile" }
    state_expired() { en: "Expired", it: "Scaduta" }
    state_cancelled() { en: "Cancelled", it: "Annullata" }
    state_revoked() { en: "Revoked", it: "Revocata" }
    state_completed() { en: "Completed", it: "Completata" }

    // Support > Customer Lockbox requests.
    requests_crumb() { en: "Support", it: "Supporto" }
    requests_title() { en: "Customer Lockbox requests", it: "Richieste di Customer Lockbox" }
    requests_intro() {
        en: "Requests from the provider's support engineers to reach your organisation's content. Select one to see its details and decide.",
        it: "Le richieste dei tecnici del supporto del fornitore di accedere al contenuto della tua organizzazione. Selezionane una per vederne i dettagli e decidere.",
    }
    requests_frozen_title() { en: "All access is frozen.", it: "Tutti gli accessi sono bloccati." }
    requests_frozen_body() {
        en: " No engineer can open your content and no request can be approved until a global admin lifts the freeze on ",
        it: " Nessun tecnico può aprire il tuo contenuto e nessuna richiesta può essere approvata finché un amministratore globale non toglie il blocco in ",
    }
    security_privacy() { en: "Security & Privacy", it: "Sicurezza e privacy" }
    since() { en: "Since ", it: "Dal " }
    by() { en: " by ", it: " da " }
    status() { en: "Status", it: "Stato" }
    all() { en: "All", it: "Tutte" }
    requests_loading() { en: "Loading requests…", it: "Caricamento delle richieste…" }
    requests_none() { en: "No requests match.", it: "Nessuna richiesta corrisponde." }
    awaiting_your_decision() { en: "Awaiting your decision", it: "In attesa della tua decisione" }
    awaiting_your_decision_count(n: i64) {
        en: format!("Awaiting your decision ({n})"),
        it: format!("In attesa della tua decisione ({n})"),
    }
    other_requests() { en: "Other requests", it: "Altre richieste" }
    requests_list() { en: "Requests", it: "Richieste" }
    load_older() { en: "Load older requests", it: "Carica richieste meno recenti" }
    loading_older() { en: "Loading older requests…", it: "Caricamento delle richieste meno recenti…" }
    column_ticket() { en: "Ticket", it: "Richiesta di servizio" }
    column_service() { en: "Service", it: "Servizio" }
    column_requester() { en: "Requester", it: "Richiedente" }
    column_requested() { en: "Requested", it: "Richiesta il" }
    column_deadline() { en: "Expires / time left", it: "Scadenza / tempo rimasto" }
    request_row_label(state: &str, ticket: &str, service: &str, requester: &str) {
        en: format!("{state} request {ticket} for {service}, {requester}"),
        it: format!("Richiesta {ticket} ({state}) per {service}, {requester}"),
    }
    cell_ticket() { en: "Ticket ", it: "Richiesta di servizio " }
    cell_service() { en: "Service ", it: "Servizio " }
    cell_requester() { en: "Requester ", it: "Richiedente " }
    cell_requested() { en: "Requested ", it: "Richiesta il " }

    // Time in words.
    hours(n: i64) {
        en: format!("{n} {}", plural(n, "hour", "hours")),
        it: format!("{n} {}", plural(n, "ora", "ore")),
    }
    minutes(n: i64) {
        en: format!("{n} {}", plural(n, "minute", "minutes")),
        it: format!("{n} {}", plural(n, "minuto", "minuti")),
    }
    time_left(span: &str) { en: format!("{span} left"), it: format!("{span} rimanenti") }
    expires_in(span: &str) { en: format!("Expires in {span}"), it: format!("Scade tra {span}") }
    access_left(countdown: &str) { en: format!("Access: {countdown}"), it: format!("Accesso: {countdown}") }
    ended() { en: "ended", it: "terminato" }

    // A request, and the customer's decision on it.
    back_to_requests() { en: "← Customer Lockbox requests", it: "← Richieste di Customer Lockbox" }
    back_to_my_requests() { en: "← My access requests", it: "← Le mie richieste di accesso" }
    request_loading() { en: "Loading the request…", it: "Caricamento della richiesta…" }
    request_title_generic() { en: "Customer Lockbox request", it: "Richiesta di Customer Lockbox" }
    request_title(ticket: &str) { en: format!("Request {ticket}"), it: format!("Richiesta {ticket}") }
    approved_until(until: &str) {
        en: format!("You approved this request. Access ends at {until}."),
        it: format!("Hai approvato questa richiesta. L'accesso termina alle {until}."),
    }
    denied_done() {
        en: "You denied this request. No access was granted.",
        it: "Hai rifiutato questa richiesta. Non è stato concesso alcun accesso.",
    }
    revoked_done() { en: "You revoked this access. It has ended.", it: "Hai revocato questo accesso. È terminato." }
    approve_title() { en: "Approve this request?", it: "Approvare questa richiesta?" }
    deny_title() { en: "Deny this request?", it: "Rifiutare questa richiesta?" }
    revoke_title() { en: "Revoke this access now?", it: "Revocare subito questo accesso?" }
    approve() { en: "Approve", it: "Approva" }
    deny() { en: "Deny", it: "Nega" }
    revoke() { en: "Revoke", it: "Revoca" }
    revoke_access() { en: "Revoke access", it: "Revoca accesso" }
    approved_by_you_waiting() {
        en: "You have approved this request. It needs the approval of another person at your organisation.",
        it: "Hai approvato questa richiesta. Serve l'approvazione di un'altra persona della tua organizzazione.",
    }
    comment_optional() { en: "Comment (optional)", it: "Commento (facoltativo)" }
    access_for() { en: "Access for", it: "Accesso per" }
    as_asked(duration: &str) { en: format!("{duration} (as asked)"), it: format!("{duration} (richiesto)") }
    approve_consequence(tenant: &str, service: &str, duration: &str) {
        en: format!("The engineer gets access to {tenant}'s {service} content for {duration}, starting now. Access ends by itself."),
        it: format!("Il tecnico ottiene l'accesso al contenuto {service} di {tenant} per {duration}, da adesso. L'accesso viene revocato automaticamente."),
    }
    deny_consequence() {
        en: "The engineer gets no access. The decision is final.",
        it: "Il tecnico non ottiene alcun accesso. La decisione è definitiva.",
    }
    revoke_comment_note() {
        en: "The engineer is told, and it is kept in the audit record.",
        it: "Il tecnico viene avvisato e il commento resta nel record di controllo.",
    }
    comment_shown() { en: "Comment: ", it: "Commento: " }
    still_needed(given: i64, required: i64, left: i64) {
        en: format!("You approved this request ({given} of {required} {}). Access starts when {left} more {} approved.",
            plural(required, "approval", "approvals"), plural(left, "person has", "people have")),
        it: format!("Hai approvato questa richiesta ({given} di {required} {}). L'accesso inizia quando {}.",
            plural(required, "approvazione", "approvazioni"),
            if left == 1 { "avrà approvato un'altra persona".to_owned() } else { format!("avranno approvato altre {left} persone") }),
    }
    details() { en: "Details", it: "Dettagli" }
    fact_service() { en: "Service", it: "Servizio" }
    fact_ticket() { en: "Ticket number", it: "Numero di richiesta di servizio" }
    fact_reason() { en: "Reason", it: "Motivo" }
    fact_asked() { en: "Access asked for", it: "Accesso richiesto per" }
    fact_requester() { en: "Requester", it: "Richiedente" }
    fact_requested() { en: "Requested", it: "Richiesta il" }
    fact_preapproved_by() { en: "Pre-approved by", it: "Pre-approvata da" }
    fact_manager_comment() { en: "Manager's comment", it: "Commento del responsabile" }
    fact_expires() { en: "Expires", it: "Scade" }
    fact_decided_by() { en: "Decided by", it: "Decisa da" }
    fact_comment() { en: "Comment", it: "Commento" }
    fact_granted() { en: "Access granted", it: "Accesso concesso" }
    less_than_asked() { en: " (less than asked)", it: " (meno di quanto richiesto)" }
    fact_access_from() { en: "Access from", it: "Accesso dal" }
    fact_access_until() { en: "Access until", it: "Accesso fino al" }
    fact_ended() { en: "Ended", it: "Terminata" }
    fact_ended_by() { en: "Ended by", it: "Terminata da" }
    fact_why_ended() { en: "Why it ended", it: "Motivo della fine" }
    download_receipt() { en: "Download signed receipt", it: "Scarica la ricevuta firmata" }
    receipt_note_before() { en: " The customer's decision, signed by Lockbox; ", it: " La decisione del cliente, firmata da Lockbox; " }
    receipt_note_after() { en: " checks it.", it: " la verifica." }
    history() { en: "History", it: "Cronologia" }

    approvals_progress(given: i64, required: i64) {
        en: format!("{given} of {required} {}", plural(required, "approval", "approvals")),
        it: format!("{given} di {required} {}", plural(required, "approvazione", "approvazioni")),
    }
}

/// Messages whose Italian is rightly the same as the English (names,
/// identifiers, words Italian borrows).
pub const SAME_IN_EVERY_LANGUAGE: &[&str] = &[];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_italian_sentence_is_written_not_copied() {
        let english = every(Lang::En);
        let italian = every(Lang::It);
        for ((name, en), (_, it)) in english.iter().zip(&italian) {
            if SAME_IN_EVERY_LANGUAGE.contains(name) {
                continue;
            }
            assert!(!it.trim().is_empty(), "{name}: no Italian");
            assert_ne!(en, it, "{name}: the Italian is the English");
        }
        for state in State::ALL.iter().copied() {
            assert_ne!(super::state(Lang::En, state), super::state(Lang::It, state));
            assert_eq!(super::state(Lang::En, state), state.label());
        }
    }

    #[test]
    fn plurals_follow_the_count() {
        assert_eq!(approvals_progress(Lang::En, 1, 1), "1 of 1 approval");
        assert_eq!(approvals_progress(Lang::It, 1, 2), "1 di 2 approvazioni");
    }
}
