//! Every sentence people read, in every language Lockbox speaks: one
//! function per message (`text::sign_out(lang)`), written once here for the
//! pages and the Worker alike. Italian follows `GLOSSARY.md` and addresses
//! the reader with *tu*. Stored audit values (activity and operation
//! names, user strings) are never translated, so none is here.

use crate::i18n::plural;
use crate::lifecycle::State;
use crate::messages;

/// A request's state as people read it (the states are feminine in
/// Italian: *la richiesta*).
pub fn state(lang: crate::i18n::Lang, state: State) -> String {
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

messages! {
    // The frame of every page.
    language() { en: "Language", it: "Lingua" }
    sign_in() { en: "Sign in", it: "Accedi" }
    sign_out() { en: "Sign out", it: "Esci" }
    main_navigation() { en: "Main", it: "Principale" }
    loading() { en: "Loading…", it: "Caricamento…" }

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
