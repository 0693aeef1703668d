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

/// A span of minutes in words, with each language's plural: "1 hour 30
/// minutes", "2 ore 30 minuti" (the pages and the e-mails alike).
pub fn duration(lang: crate::i18n::Lang, minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => self::minutes(lang, m),
        (h, 0) => hours(lang, h),
        (h, m) => format!("{} {}", hours(lang, h), self::minutes(lang, m)),
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
    // A second visit shows the list kept from the last one at once.
    requests_refreshing(at: &str) {
        en: format!("The list as of {at}; refreshing…"),
        it: format!("Elenco aggiornato al {at}; aggiornamento in corso…"),
    }
    requests_offline(at: &str) {
        en: format!("Offline: the list as of {at}. Deciding needs a connection."),
        it: format!("Sei offline: elenco aggiornato al {at}. Per decidere serve una connessione."),
    }
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
    emergency_tag() { en: "Emergency access", it: "Accesso di emergenza" }
    emergency_title() { en: "Emergency access", it: "Accesso di emergenza" }
    emergency_for_managers(incident: &str, so_far: i64) {
        en: format!("for incident {incident}: it needs two different managers, and starts at once without the customer's approval. {so_far} of 2 so far."),
        it: format!("per l'incidente {incident}: servono due responsabili diversi, e inizia subito senza l'approvazione del cliente. Finora {so_far} su 2."),
    }
    emergency_first_manager(ticket: &str) {
        en: format!("You pre-approved emergency request {ticket}. It needs another support manager before access starts."),
        it: format!("Hai pre-approvato la richiesta di emergenza {ticket}. Serve un altro responsabile del supporto prima che l'accesso inizi."),
    }
    emergency_ask() { en: "Emergency: an incident needs access now", it: "Emergenza: un incidente richiede l'accesso subito" }
    emergency_ask_note() { en: "Two different support managers (not you) must approve within 30 minutes; access then starts without the customer's approval, for at most 60 minutes and, unless the customer allowed more, only operations that do not read content. The customer is told at once and reviews it afterwards.", it: "Due diversi responsabili del supporto (non tu) devono approvare entro 30 minuti; l'accesso inizia poi senza l'approvazione del cliente, per al massimo 60 minuti e, salvo diversa scelta del cliente, solo con operazioni che non leggono i contenuti. Il cliente viene avvisato subito e lo valuta dopo." }
    send_emergency() { en: "Send to two managers", it: "Invia a due responsabili" }
    emergency_state_allowed() { en: "Emergency access is allowed, with your review afterwards.", it: "L'accesso di emergenza è consentito, con la vostra valutazione successiva." }
    emergency_state_off() { en: "Emergency access is off: every access needs your approval first.", it: "L'accesso di emergenza è disattivato: ogni accesso richiede prima la vostra approvazione." }
    emergency_rules() { en: "In an incident, two different support managers of the provider can start access without your approval: at most 60 minutes, never extended, one at a time and at most 3 in 30 days. You are told at once, may revoke it, and ratify or dispute it within 7 days of its end. A freeze always stops it.", it: "Durante un incidente, due diversi responsabili del supporto del fornitore possono avviare un accesso senza la vostra approvazione: al massimo 60 minuti, mai prolungato, uno alla volta e al massimo 3 in 30 giorni. Venite avvisati subito, potete revocarlo e dovete ratificarlo o contestarlo entro 7 giorni dalla fine. Un blocco lo ferma sempre." }
    emergency_choices() { en: "Your choices", it: "Le vostre scelte" }
    emergency_allowed_label() { en: "Allow emergency access, with review afterwards", it: "Consenti l'accesso di emergenza, con valutazione successiva" }
    emergency_content_label() { en: "Emergency access may read content (message bodies, file contents)", it: "L'accesso di emergenza può leggere i contenuti (testi dei messaggi, contenuto dei file)" }
    dispute_freezes_label() { en: "A dispute also revokes all access (freezes the organisation)", it: "Una contestazione revoca anche tutti gli accessi (blocca l'organizzazione)" }
    save_emergency() { en: "Save emergency access choices", it: "Salva le scelte sull'accesso di emergenza" }
    emergency_saved() { en: "Saved. The change is in the audit log.", it: "Salvato. La modifica è nel registro di controllo." }
    emergency_live_title() { en: "Emergency access is in progress, granted without your approval.", it: "È in corso un accesso di emergenza, concesso senza la vostra approvazione." }
    emergency_live_item(service: &str, ticket: &str) {
        en: format!("{service}, ticket {ticket}"),
        it: format!("{service}, richiesta di servizio {ticket}"),
    }
    emergency_until() { en: "until", it: "fino al" }
    emergency_live_body() { en: "Open it to see who approved it and why; revoke it at once if you do not accept it. You review it when it ends.", it: "Aprilo per vedere chi l'ha approvato e perché; revocalo subito se non lo accetti. Lo valuterai quando termina." }
    emergency_review_title(n: i64) {
        en: if n == 1 { "1 emergency access awaits your review.".to_owned() } else { format!("{n} emergency accesses await your review.") },
        it: if n == 1 { "1 accesso di emergenza attende la vostra valutazione.".to_owned() } else { format!("{n} accessi di emergenza attendono la vostra valutazione.") },
    }
    emergency_explained() { en: "Two of the provider's support managers granted it for an incident, without your approval; you review it once it ends.", it: "Due responsabili del supporto del fornitore l'hanno concesso per un incidente, senza la vostra approvazione; lo valutate quando termina." }
    emergency_incident() { en: "Incident", it: "Incidente" }
    emergency_managers() { en: "Approved by managers", it: "Approvato dai responsabili" }
    emergency_verdict() { en: "Your review", it: "La vostra valutazione" }
    emergency_review_by() { en: "Review by", it: "Da valutare entro" }
    verdict_ratified() { en: "Ratified", it: "Ratificato" }
    verdict_disputed() { en: "Disputed", it: "Contestato" }
    verdict_unreviewed() { en: "Unreviewed (nobody reviewed it in 7 days)", it: "Non valutato (nessuno l'ha valutato in 7 giorni)" }
    review_ask() { en: "This emergency access has ended. Look at what was done (the report below), then ratify it or dispute it.", it: "Questo accesso di emergenza è terminato. Guarda cosa è stato fatto (il report qui sotto), poi ratificalo o contestalo." }
    ratify() { en: "Ratify", it: "Ratifica" }
    dispute() { en: "Dispute", it: "Contesta" }
    ratify_title() { en: "Ratify this emergency access?", it: "Ratificare questo accesso di emergenza?" }
    dispute_title() { en: "Dispute this emergency access?", it: "Contestare questo accesso di emergenza?" }
    ratify_consequence() { en: "You accept what was done under it. Your verdict goes into the audit log and a signed receipt.", it: "Accetti ciò che è stato fatto. La tua valutazione va nel registro di controllo e in una ricevuta firmata." }
    dispute_consequence() { en: "The provider's support managers are told at once, with your reason. Your verdict goes into the audit log and a signed receipt.", it: "I responsabili del supporto del fornitore vengono avvisati subito, con il tuo motivo. La tua valutazione va nel registro di controllo e in una ricevuta firmata." }
    dispute_why() { en: "What do you dispute? (required)", it: "Che cosa contesti? (obbligatorio)" }
    dispute_needs_why() { en: "Say what you dispute: the provider's managers read it.", it: "Scrivi che cosa contesti: lo leggono i responsabili del fornitore." }
    ratified_done() { en: "You ratified this emergency access.", it: "Hai ratificato questo accesso di emergenza." }
    disputed_done() { en: "You disputed this emergency access; the provider's managers are told.", it: "Hai contestato questo accesso di emergenza; i responsabili del fornitore vengono avvisati." }
    download_report() { en: "Download signed report of what was done", it: "Scarica il report firmato di ciò che è stato fatto" }
    report_note_before() { en: " Every operation under this access and its proof in the audit log, signed by Lockbox; ", it: " Ogni operazione di questo accesso e la sua prova nel registro di controllo, firmato da Lockbox; " }
    history_access_ended() { en: "Access ended", it: "Accesso terminato" }
    history_reviewed() { en: "Emergency access reviewed", it: "Accesso di emergenza valutato" }
    detail_reviewed_by() { en: "Reviewed by", it: "Valutato da" }
    detail_managers_so_far() { en: "Managers so far", it: "Responsabili finora" }
    detail_managers_required() { en: "Managers required", it: "Responsabili richiesti" }
    detail_actions() { en: "Operations recorded", it: "Operazioni registrate" }
    detail_refused_attempts() { en: "Refused attempts", it: "Tentativi rifiutati" }
    detail_minutes_used() { en: "Minutes used", it: "Minuti usati" }
    detail_actions_digest() { en: "Digest of the operations", it: "Impronta delle operazioni" }
    detail_ended() { en: "Ended as", it: "Terminato come" }
    history() { en: "History", it: "Cronologia" }

    approvals_progress(given: i64, required: i64) {
        en: format!("{given} of {required} {}", plural(required, "approval", "approvals")),
        it: format!("{given} di {required} {}", plural(required, "approvazione", "approvazioni")),
    }

    // The frame: who is signed in.
    no_lockbox_role() { en: "No Lockbox role", it: "Nessun ruolo Lockbox" }
    provider_organisation() { en: "Provider", it: "Fornitore" }

    // System status.
    status_title() { en: "System status", it: "Stato del sistema" }
    status_checking() { en: "Checking the service…", it: "Verifica del servizio in corso…" }
    status_running() { en: "Running", it: "In funzione" }
    status_degraded() { en: "Degraded", it: "Degradato" }
    status_version() { en: "Version", it: "Versione" }
    status_database() { en: "Database", it: "Database" }
    status_answering() { en: "Answering", it: "Risponde" }
    status_not_answering() { en: "Not answering", it: "Non risponde" }

    // Page not found.
    not_found_title() { en: "Page not found", it: "Pagina non trovata" }
    not_found_before() { en: "There is no page at ", it: "Non c'è nessuna pagina all'indirizzo " }
    not_found_home() { en: "Go to the start page", it: "Vai alla pagina iniziale" }

    // A request: approvals, the grant chain, revoking, asking for more
    // time (the approver's part: no arguments where a sentence can be
    // put together).
    an_approver_at_customer() { en: "An approver at the customer", it: "Un responsabile approvazione del cliente" }
    approval_granted() { en: " · granted ", it: " · concede " }
    extends_request() { en: "Extends request ", it: "Prolunga la richiesta " }
    continues_from() { en: " · continues from ", it: " · prosegue dal " }
    extended_by() { en: "Extended by ", it: "Prolungata da " }
    chain_title() { en: "Grant and extensions", it: "Accesso e prolungamenti" }
    chain_asked(span: &str) { en: format!("{span} asked"), it: format!("durata richiesta: {span}") }
    this_request() { en: "This request", it: "Questa richiesta" }
    chain_extension() { en: "Extension", it: "Prolungamento" }
    chain_first_grant() { en: "First grant", it: "Primo accesso" }
    revoke_now() {
        en: "The engineer loses access to this content immediately; no access remains.",
        it: "Il tecnico perde subito l'accesso a questo contenuto; non resta alcun accesso.",
    }
    revoke_not_started(at: &str) {
        en: format!("This extension has not started and now never will: access stays as it is until the grant before it ends, at {at}."),
        it: format!("Questo prolungamento non è iniziato e ora non inizierà più: l'accesso resta com'è fino alla fine dell'accesso precedente, il {at}."),
    }
    revoke_tail_one() {
        en: " The extension that would follow it ends too.",
        it: " Termina anche il prolungamento che lo seguirebbe.",
    }
    revoke_tail_many(n: i64) {
        en: format!(" The {n} extensions that would follow it end too."),
        it: format!(" Terminano anche i {n} prolungamenti che lo seguirebbero."),
    }
    open_grant() { en: "Open grant", it: "Apri l'accesso" }
    extend_title() { en: "Ask for more time", it: "Chiedi altro tempo" }
    extend_intro_before() {
        en: "A new request, linked to this one, through the same approvals. Approved before this grant ends, access continues without a gap; a grant and its extensions last at most ",
        it: "Una nuova richiesta, collegata a questa, con le stesse approvazioni. Se viene approvata prima che questo accesso termini, l'accesso prosegue senza interruzioni; un accesso e i suoi prolungamenti durano al massimo ",
    }
    extend_intro_after() { en: " hours from the first start.", it: " ore dal primo avvio." }
    extend_more_time() { en: "More time", it: "Tempo in più" }
    extend_why() { en: "Why", it: "Motivo" }
    extend_asked() { en: "Asked. ", it: "Richiesta inviata. " }
    extend_link() { en: "The extension request", it: "La richiesta di prolungamento" }
    extend_waits() {
        en: " waits for a manager and then your customer.",
        it: " attende un responsabile del supporto e poi il cliente.",
    }
    audit_record_no() { en: "Audit record #", it: "Record di controllo n. " }
    actions_title() { en: "Actions under this grant", it: "Operazioni con questo accesso" }
    no_actions() {
        en: "No operation has been run under this grant yet.",
        it: "Con questo accesso non è ancora stata eseguita nessuna operazione.",
    }
    actions_newest(count: i64) {
        en: format!("The newest {count}; the audit log has every one."),
        it: format!("Le {count} più recenti; il log di controllo le contiene tutte."),
    }
    actions_count(count: i64) {
        en: format!("{count} {}.", plural(count, "operation", "operations")),
        it: format!("{count} {}.", plural(count, "operazione", "operazioni")),
    }
    action_refused() { en: "Refused", it: "Rifiutata" }
    action_succeeded() { en: "Succeeded", it: "Riuscita" }
    action_by() { en: "By ", it: "Da " }

    // A request's history: what each record means, in words.
    history_requested() { en: "Requested by the engineer", it: "Richiesta dal tecnico" }
    history_preapproved_open() {
        en: "Pre-approved by a support manager; access granted (Customer Lockbox is off)",
        it: "Pre-approvata da un responsabile del supporto; accesso concesso (Customer Lockbox è disattivato)",
    }
    history_preapproved() { en: "Pre-approved by a support manager", it: "Pre-approvata da un responsabile del supporto" }
    history_rejected() { en: "Rejected by a support manager", it: "Respinta da un responsabile del supporto" }
    history_decided() { en: "Decided", it: "Decisa" }
    history_cancelled() { en: "Cancelled by the engineer", it: "Annullata dal tecnico" }
    history_revoked() { en: "Access revoked", it: "Accesso revocato" }
    history_expired() { en: "Expired: nobody decided in time", it: "Scaduta: nessuno ha deciso in tempo" }
    history_completed() { en: "Access ended: its time ran out", it: "Accesso terminato: il tempo è scaduto" }

    // A history record's details, by their plain names (the keys
    // themselves are stored values and stay as they are in the audit log).
    detail_decision() { en: "Decision", it: "Decisione" }
    detail_approver() { en: "Approver", it: "Responsabile approvazione" }
    detail_approvals_so_far() { en: "Approvals so far", it: "Approvazioni finora" }
    detail_approvals_required() { en: "Approvals required", it: "Approvazioni richieste" }
    detail_minutes_granted() { en: "Minutes granted", it: "Minuti concessi" }
    detail_minutes_asked() { en: "Minutes asked", it: "Minuti richiesti" }
    detail_revoked_by() { en: "Revoked by", it: "Revocata da" }
    detail_manager() { en: "Manager", it: "Responsabile del supporto" }
    detail_customer_approval() { en: "Customer approval required", it: "Approvazione del cliente richiesta" }
    detail_note() { en: "Note", it: "Nota" }
    detail_engineer() { en: "Engineer", it: "Tecnico" }
    detail_outcome() { en: "Outcome", it: "Esito" }
    detail_state_after() { en: "State after", it: "Stato dopo" }
    detail_state_before() { en: "State before", it: "Stato prima" }
    detail_extends() { en: "Extends", it: "Prolunga" }

    // Numbers and deliveries in words.
    decimal_point() { en: ".", it: "," }
    delivery_http(status: i64) {
        en: format!("the endpoint answered HTTP {status}"),
        it: format!("l'endpoint ha risposto HTTP {status}"),
    }
    delivery_refused() {
        en: "connection refused: nothing accepted a connection at that address",
        it: "connessione rifiutata: nessuno ha accettato una connessione a quell'indirizzo",
    }
    delivery_timeout() { en: "no answer in time", it: "nessuna risposta in tempo" }
    delivery_dns() { en: "the host name could not be found", it: "impossibile trovare il nome host" }
    delivery_tls() {
        en: "the endpoint's TLS certificate was not accepted",
        it: "il certificato TLS dell'endpoint non è stato accettato",
    }
    delivery_delivered() { en: "delivered", it: "consegnato" }
    delivery_pending() { en: "pending", it: "in attesa" }
    delivery_failed() { en: "failed", it: "non riuscito" }

    // Audit log search.
    audit_title() { en: "Audit log", it: "Ricerca log di controllo" }
    audit_intro() {
        en: "Every decision about access to your organisation's content, and every operation the provider's engineers ran under a grant. Times are in your zone.",
        it: "Ogni decisione sull'accesso al contenuto della tua organizzazione e ogni operazione eseguita dai tecnici del fornitore con un accesso concesso. Gli orari sono nel tuo fuso orario.",
    }
    audit_start(zone: &str) { en: format!("Start ({zone})"), it: format!("Data inizio ({zone})") }
    audit_end(zone: &str) { en: format!("End ({zone})"), it: format!("Data fine ({zone})") }
    audit_activities() { en: "Activities", it: "Attività" }
    audit_activities_none() {
        en: "None chosen: all activities. Hold Ctrl (⌘ on a Mac) to choose several.",
        it: "Nessuna scelta: tutte le attività. Tieni premuto Ctrl (⌘ su Mac) per sceglierne più di una.",
    }
    audit_activities_chosen(n: i64, names: &str) {
        en: format!("Chosen ({n}): {names}. Hold Ctrl (⌘ on a Mac) to change several."),
        it: format!("Scelte ({n}): {names}. Tieni premuto Ctrl (⌘ su Mac) per cambiarne più di una."),
    }
    audit_users() { en: "Users", it: "Utenti" }
    audit_users_all() { en: "All users", it: "Tutti gli utenti" }
    audit_users_hint() {
        en: "Exact user names, separated by commas. A decision is recorded under the Lockbox service account, with the person who decided in its details; an operation run under a grant is recorded under “<Provider> Operator”, with the engineer in its details (Engineer). To see everything about one request, search by its request ID or ticket below.",
        it: "Nomi utente esatti, separati da virgole. Una decisione viene registrata con l'account di servizio di Lockbox, con la persona che ha deciso nei dettagli; un'operazione eseguita con un accesso concesso viene registrata come “<Provider> Operator” (mostrato come “Operatore <Provider>”), con il tecnico nei dettagli (Engineer). Per vedere tutto di una richiesta, cercala qui sotto per ID richiesta o richiesta di servizio.",
    }
    audit_item() { en: "Item", it: "Elemento" }
    audit_items_all() { en: "All items", it: "Tutti gli elementi" }
    audit_request() { en: "Request ID or ticket", it: "ID richiesta o richiesta di servizio" }
    audit_requests_all() { en: "All requests", it: "Tutte le richieste" }
    audit_request_hint() {
        en: "The request's decisions and every operation run under its grant.",
        it: "Le decisioni sulla richiesta e ogni operazione eseguita con il suo accesso.",
    }
    audit_search() { en: "Search", it: "Cerca" }
    audit_searching() { en: "Searching…", it: "Ricerca in corso…" }
    audit_start_after_end() {
        en: "The start must be before the end.",
        it: "La data di inizio deve precedere la data di fine.",
    }
    audit_filter() { en: "Filter results", it: "Filtra risultati" }
    audit_filter_placeholder() { en: "Activity or user contains…", it: "L'attività o l'utente contiene…" }
    download_csv() { en: "Download CSV", it: "Scarica CSV" }
    download_jsonl() { en: "Download JSON lines", it: "Scarica JSON Lines" }
    audit_verify_before() {
        en: "To check offline that this log is complete and unaltered, download the ",
        it: "Per verificare offline che questo log sia completo e inalterato, scarica il ",
    }
    audit_checkpoint() { en: "signed checkpoint", it: "checkpoint firmato" }
    audit_verify_middle() { en: " and an export without filters, and run ", it: " e un'esportazione senza filtri, poi esegui " }
    audit_verify_with() { en: " with the provider's ", it: " con la " }
    audit_public_key() { en: "public key", it: "chiave pubblica" }
    audit_verify_after() { en: ".", it: " del fornitore." }
    audit_more() { en: " (more to load)", it: " (altri da caricare)" }
    audit_count_all(total: i64, more: &str) {
        en: format!("{total} records{more}"),
        it: format!("{total} record{more}"),
    }
    audit_count_some(n: i64, total: i64, more: &str) {
        en: format!("{n} of {total} records shown{more}"),
        it: format!("{n} di {total} record mostrati{more}"),
    }
    audit_records() { en: "Audit records", it: "Risultati" }
    load_more() { en: "Load more", it: "Carica altri" }
    audit_time_utc() { en: "Time (UTC)", it: "Data (UTC)" }
    audit_time_yours() { en: "Time (yours)", it: "Data (tuo fuso orario)" }
    audit_ip() { en: "IP address", it: "Indirizzo IP" }
    audit_user() { en: "User", it: "Utente" }
    audit_activity() { en: "Activity", it: "Attività" }
    audit_seq() { en: "Sequence number", it: "Numero di sequenza" }
    audit_leaf_hash() { en: "Leaf hash", it: "Hash della foglia" }
    audit_not_sealed() { en: "Not sealed yet", it: "Non ancora sigillato" }
    audit_record_id() { en: "Record id", it: "ID record" }
    /// An audit user `<provider> Operator` as shown (the stored value,
    /// which searches use, stays as written).
    audit_operator(provider: &str) { en: format!("{provider} Operator"), it: format!("Operatore {provider}") }

    // Settings > Org settings > Security & Privacy.
    crumbs_org_settings() { en: "Settings › Org settings", it: "Impostazioni › Impostazioni organizzazione" }
    approvals_phrase(n: i64) {
        en: format!("{n} {}", plural(n, "approval", "approvals")),
        it: format!("{n} {}", plural(n, "approvazione", "approvazioni")),
    }
    approvals_saved(phrase: &str) {
        en: format!("Saved. Requests that become pending from now on need {phrase}. Requests already waiting keep theirs."),
        it: format!("Salvato. Le richieste che da ora passano in sospeso richiedono {phrase}. Quelle già in attesa mantengono il numero di prima."),
    }
    approvals_title() { en: "Approvals required", it: "Approvazioni richieste" }
    approvals_state_before() { en: "Each request needs ", it: "Ogni richiesta richiede " }
    approvals_state_after() {
        en: " from different people at your organisation before access is granted. Any one denial denies it.",
        it: " da persone diverse della tua organizzazione prima che l'accesso venga concesso. Basta un rifiuto per rifiutarla.",
    }
    able_to_approve(able: i64) {
        en: format!("{able} {} at your organisation can approve (global admins and Lockbox access approvers).",
            plural(able, "person", "people")),
        it: format!("{able} {} della tua organizzazione {} approvare (amministratori globali e responsabili approvazione accesso Customer Lockbox).",
            plural(able, "persona", "persone"), plural(able, "può", "possono")),
    }
    approvals_per_request() { en: "Approvals per request", it: "Approvazioni per richiesta" }
    approvals_beyond(phrase: &str, able: i64) {
        en: format!("{phrase} (only {able} can approve)"),
        it: format!("{phrase} (solo {able} {} approvare)", plural(able, "può", "possono")),
    }
    save_approvals() { en: "Save approvals", it: "Salva approvazioni" }
    freeze_reason_required() {
        en: "Say why you revoke all access: the reason goes to the audit log and to every engineer whose access ends.",
        it: "Spiega perché revochi tutti gli accessi: il motivo va nel log di controllo e a ogni tecnico il cui accesso termina.",
    }
    freeze_done(revoked: i64, denied: i64) {
        en: format!("All access is revoked: {revoked} live {} ended, {denied} pending {} denied. Nothing can be approved until you lift the freeze.",
            plural(revoked, "grant", "grants"), plural(denied, "request", "requests")),
        it: format!("Tutti gli accessi sono revocati: {revoked} {}, {denied} {}. Non si può approvare nulla finché non togli il blocco.",
            plural(revoked, "accesso attivo terminato", "accessi attivi terminati"),
            plural(denied, "richiesta in sospeso rifiutata", "richieste in sospeso rifiutate")),
    }
    freeze_lifted() {
        en: "The freeze is lifted. Requests can be approved again.",
        it: "Il blocco è stato tolto. Le richieste possono di nuovo essere approvate.",
    }
    freeze_lift_title() { en: "Lift the freeze?", it: "Togliere il blocco?" }
    freeze_title_question() { en: "Revoke all access now?", it: "Revocare subito tutti gli accessi?" }
    freeze_lift() { en: "Lift the freeze", it: "Togli il blocco" }
    freeze_revoke_all() { en: "Revoke all access", it: "Revoca tutti gli accessi" }
    freeze_title() { en: "Revoke all access now", it: "Revoca subito tutti gli accessi" }
    frozen() { en: "Frozen.", it: "Bloccato." }
    frozen_body() {
        en: " No grant opens your content and no request can be approved.",
        it: " Nessun accesso apre il tuo contenuto e nessuna richiesta può essere approvata.",
    }
    freeze_explained() {
        en: "Ends every live grant and denies every pending request at once, and stops any new approval until you lift it.",
        it: "Termina subito ogni accesso attivo, rifiuta ogni richiesta in sospeso e impedisce nuove approvazioni finché non togli il blocco.",
    }
    freeze_read_only() {
        en: "Only a global admin can revoke all access or lift a freeze. If you need it, ask one of your organisation's global admins.",
        it: "Solo un amministratore globale può revocare tutti gli accessi o togliere un blocco. Se serve, chiedilo a uno degli amministratori globali della tua organizzazione.",
    }
    freeze_lift_body() {
        en: "Requests can be pre-approved and approved again. Access that was revoked stays revoked.",
        it: "Le richieste potranno di nuovo essere pre-approvate e approvate. Gli accessi revocati restano revocati.",
    }
    freeze_body() {
        en: "Every engineer loses access to your content immediately; pending requests are denied. Nothing can be approved until a global admin lifts the freeze.",
        it: "Ogni tecnico perde subito l'accesso al tuo contenuto e le richieste in sospeso vengono rifiutate. Non si può approvare nulla finché un amministratore globale non toglie il blocco.",
    }
    freeze_why() { en: "Why (required)", it: "Motivo (obbligatorio)" }
    lockbox_saved_on() {
        en: "Saved. Customer Lockbox is on: every data access request needs approval.",
        it: "Salvato. Customer Lockbox è attivato: ogni richiesta di accesso ai dati richiede l'approvazione.",
    }
    lockbox_saved_off() {
        en: "Saved. Customer Lockbox is off: access requests no longer need your approval.",
        it: "Salvato. Customer Lockbox è disattivato: le richieste di accesso non richiedono più la tua approvazione.",
    }
    lockbox_require() {
        en: "Require approval for all data access requests",
        it: "Richiedi l'approvazione per tutte le richieste di accesso ai dati",
    }
    switch_on() { en: "On", it: "Attivato" }
    switch_off() { en: "Off", it: "Disattivato" }
    last_changed_by() { en: "Last changed by ", it: "Ultima modifica di " }
    on_date() { en: " on ", it: " il " }
    not_changed() {
        en: "Not changed since the organisation was set up.",
        it: "Mai modificata da quando l'organizzazione è stata configurata.",
    }
    lockbox_read_only() {
        en: "You can see this setting. A global admin or a Lockbox access approver can change it.",
        it: "Puoi vedere questa impostazione. Può modificarla un amministratore globale o un responsabile approvazione accesso Customer Lockbox.",
    }
    edit() { en: "Edit", it: "Modifica" }
    save() { en: "Save", it: "Salva" }
    saving() { en: "Saving…", it: "Salvataggio…" }
    lockbox_off_title() { en: "Turn Customer Lockbox off?", it: "Disattivare Customer Lockbox?" }
    lockbox_turn_off() { en: "Turn off", it: "Disattiva" }
    lockbox_off_body() {
        en: "From now on a request the provider's support manager pre-approves is granted at once: nobody at your organisation is asked, and the engineer can open your content for the time asked (up to 4 hours).",
        it: "D'ora in poi una richiesta pre-approvata dal responsabile del supporto del fornitore viene concessa subito: nessuno della tua organizzazione viene interpellato e il tecnico può aprire il tuo contenuto per il tempo richiesto (durata massima di 4 ore).",
    }
    lockbox_off_waiting() {
        en: "Requests waiting for your decision now stay waiting. Every grant is still time-boxed and recorded in the audit log.",
        it: "Le richieste che ora attendono la tua decisione restano in attesa. Ogni accesso resta comunque limitato nel tempo e registrato nel log di controllo.",
    }

    // Roles.
    role_now(email: &str, role: &str) { en: format!("{email} is now {role}."), it: format!("Ora {email} ha il ruolo {role}.") }
    role_no_longer(email: &str, role: &str) {
        en: format!("{email} is no longer {role}."),
        it: format!("{email} non ha più il ruolo {role}."),
    }
    roles_intro() {
        en: "Global admins and Lockbox access approvers decide on requests; auditors search the audit log.",
        it: "Gli amministratori globali e i responsabili approvazione accesso Customer Lockbox decidono sulle richieste; i revisori consultano il log di controllo.",
    }
    remove_role_title(role: &str) { en: format!("Remove {role}?"), it: format!("Rimuovere il ruolo {role}?") }
    remove_this_role() { en: "Remove this role?", it: "Rimuovere questo ruolo?" }
    remove() { en: "Remove", it: "Rimuovi" }
    roles_removal_note() {
        en: "The change is recorded in the audit log, and your organisation's global admins are told by e-mail.",
        it: "La modifica viene registrata nel log di controllo e gli amministratori globali della tua organizzazione ricevono una notifica tramite posta elettronica.",
    }
    remove_person(email: &str) { en: format!("Remove {email}"), it: format!("Rimuovi {email}") }
    add_person() { en: "Add a person", it: "Aggiungi una persona" }
    choose() { en: "Choose…", it: "Scegli…" }
    add() { en: "Add", it: "Aggiungi" }
    removal_approver(email: &str) {
        en: format!("{email} can no longer see, approve, deny or revoke Customer Lockbox requests, nor change the Customer Lockbox setting. Approvals already given stay as they are; a request waiting for more approvals needs someone else's."),
        it: format!("{email} non potrà più vedere, approvare, rifiutare o revocare le richieste di Customer Lockbox, né modificare l'impostazione di Customer Lockbox. Le approvazioni già date restano valide; a una richiesta che attende altre approvazioni servirà quella di qualcun altro."),
    }
    removal_auditor(email: &str) {
        en: format!("{email} can no longer search or export your audit log."),
        it: format!("{email} non potrà più cercare nel tuo log di controllo né esportarlo."),
    }
    removal_other(email: &str) {
        en: format!("{email} loses what this role allows."),
        it: format!("{email} perde ciò che questo ruolo consente."),
    }

    // Settings > Org settings > Notifications.
    notifications_intro() {
        en: "Global admins and approvers get an e-mail when a request awaits their decision; global admins when Customer Lockbox is switched or a role changes. No message carries a link: sign in to these pages yourself to act.",
        it: "Gli amministratori globali e i responsabili approvazione ricevono una notifica tramite posta elettronica quando una richiesta attende la loro decisione; gli amministratori globali anche quando Customer Lockbox viene attivato o disattivato o cambia un ruolo. Nessun messaggio contiene link: per agire, accedi tu a queste pagine.",
    }
    webhook_removed(url: &str) {
        en: format!("Removed {url}: it receives nothing more."),
        it: format!("Endpoint rimosso: {url} non riceve più nulla."),
    }
    webhooks() { en: "Webhooks", it: "Webhook" }
    webhooks_intro() {
        en: "Lockbox sends each event as JSON to your endpoints, signed the Standard Webhooks way (headers webhook-id, webhook-timestamp, webhook-signature). Failed deliveries are retried for about three hours.",
        it: "Lockbox invia ogni evento in JSON ai tuoi endpoint, firmato secondo Standard Webhooks (intestazioni webhook-id, webhook-timestamp, webhook-signature). Gli invii non riusciti vengono ritentati per circa tre ore.",
    }
    webhook_added() { en: "Added ", it: "Aggiunto " }
    webhook_secret_shown() { en: ". Its signing secret, shown only now:", it: ". Il suo segreto di firma, mostrato solo ora:" }
    webhook_store_secret() {
        en: "Store it with your receiver; Lockbox cannot show it again.",
        it: "Conservalo insieme al tuo ricevitore: Lockbox non può mostrarlo di nuovo.",
    }
    no_webhooks() { en: "No endpoints yet.", it: "Ancora nessun endpoint." }
    endpoint_url() { en: "Endpoint URL", it: "URL dell'endpoint" }
    events() { en: "Events", it: "Eventi" }
    adding() { en: "Adding…", it: "Aggiunta in corso…" }
    add_endpoint() { en: "Add endpoint", it: "Aggiungi endpoint" }
    nothing_sent() { en: "Nothing sent yet.", it: "Ancora nessun invio." }
    last_delivery_http(status: &str, code: i64) {
        en: format!("Last delivery: {status} (HTTP {code})."),
        it: format!("Ultimo invio: {status} (HTTP {code})."),
    }
    last_delivery_why(status: &str, why: &str) {
        en: format!("Last delivery: {status}: {why}."),
        it: format!("Ultimo invio: {status}: {why}."),
    }
    last_delivery(status: &str) { en: format!("Last delivery: {status}."), it: format!("Ultimo invio: {status}.") }
    endpoint_counts(delivered: i64, pending: i64, failed: i64) {
        en: format!("{delivered} delivered, {pending} waiting, {failed} failed. "),
        it: format!("{delivered} consegnati, {pending} in attesa, {failed} non riusciti. "),
    }
    added_by() { en: "Added by ", it: "Aggiunto da " }
    webhook_replaced() { en: "Replaced the secret of ", it: "Sostituito il segreto di " }
    webhook_new_secret_shown() { en: ". The new signing secret, shown only now:", it: ". Il nuovo segreto di firma, mostrato solo ora:" }
    webhook_overlap() {
        en: "For a day every delivery is signed with both the old and the new secret: switch your receiver to the new one within that day.",
        it: "Per un giorno ogni invio è firmato sia con il vecchio sia con il nuovo segreto: entro quel giorno configura il ricevitore con il nuovo.",
    }
    replace_secret() { en: "Replace secret", it: "Sostituisci segreto" }
    replace_secret_title() { en: "Replace this endpoint's signing secret?", it: "Sostituire il segreto di firma di questo endpoint?" }
    replace_secret_after() {
        en: " will be signed with a new secret, and for a day also with the current one. The change is recorded in the audit log.",
        it: " saranno firmati con un nuovo segreto e, per un giorno, anche con quello attuale. La modifica viene registrata nel log di controllo.",
    }
    remove_endpoint_title() { en: "Remove this endpoint?", it: "Rimuovere questo endpoint?" }
    remove_endpoint() { en: "Remove endpoint", it: "Rimuovi endpoint" }
    remove_endpoint_before() { en: "Deliveries to ", it: "Gli invii a " }
    remove_endpoint_after() {
        en: " stop, and what it has not yet received is dropped. The removal is recorded in the audit log.",
        it: " si interrompono e ciò che non ha ancora ricevuto viene scartato. La rimozione viene registrata nel log di controllo.",
    }
    recent_messages() { en: "Recent messages", it: "Messaggi recenti" }
    removed_endpoint(id: &str) { en: format!("a removed endpoint ({id})"), it: format!("un endpoint rimosso ({id})") }
    webhook_to() { en: "Webhook to", it: "Webhook a" }
    email_to() { en: "E-mail to", it: "E-mail a" }
    attempts_failed(n: i64, why: &str) {
        en: format!("{n} {}: {why}.", plural(n, "attempt", "attempts")),
        it: format!("{n} {}: {why}.", plural(n, "tentativo", "tentativi")),
    }
    next_try() { en: " Next try at ", it: " Prossimo tentativo il " }

    // The outbox (local development).
    outbox_title() { en: "Outbox (local development)", it: "Posta in uscita (sviluppo locale)" }
    outbox_intro() {
        en: "What Lockbox would send, newest first. Locally nothing leaves this machine: a sink records each e-mail instead.",
        it: "Ciò che Lockbox invierebbe, dal più recente. In locale nulla esce da questo computer: ogni e-mail viene registrata invece di essere inviata.",
    }
    outbox_empty() { en: "The outbox is empty.", it: "La posta in uscita è vuota." }
    outbox_to(recipient: &str) { en: format!("To {recipient}"), it: format!("A {recipient}") }
    outbox_webhook(recipient: &str) { en: format!("Webhook {recipient}"), it: format!("Webhook a {recipient}") }
    outbox_attempts(n: i64) {
        en: format!(" · {n} attempt(s)"),
        it: format!(" · {n} {}", plural(n, "tentativo", "tentativi")),
    }

    // Sign in (local development).
    sign_in_local() {
        en: "Local development: choose who to be. Your sign-in lasts one hour.",
        it: "Sviluppo locale: scegli chi essere. L'accesso dura un'ora.",
    }
    sign_in_sso() {
        en: "Sign-in is handled by your organisation's single sign-on (Cloudflare Access). Open Lockbox from your sign-in portal.",
        it: "L'accesso avviene tramite il single sign-on della tua organizzazione (Cloudflare Access). Apri Lockbox dal tuo portale di accesso.",
    }

    // Provider console > My access requests.
    provider_console() { en: "Provider console", it: "Console del fornitore" }
    my_access_requests() { en: "My access requests", it: "Le mie richieste di accesso" }
    provider_requests_intro() {
        en: "Ask for time-boxed access to a customer's content. A support manager pre-approves it; with Customer Lockbox on, the customer then approves it. Access ends by itself.",
        it: "Chiedi un accesso limitato nel tempo al contenuto di un cliente. Un responsabile del supporto lo pre-approva; se il cliente ha Customer Lockbox attivato, poi lo approva il cliente. L'accesso viene revocato automaticamente.",
    }
    no_own_requests() { en: "You have no access requests yet.", it: "Non hai ancora richieste di accesso." }
    column_customer() { en: "Customer", it: "Cliente" }
    column_time_left() { en: "Time left", it: "Tempo rimasto" }
    cell_customer() { en: "Customer ", it: "Cliente " }
    manager_decides_within(span: &str) {
        en: format!("Manager decides within {span}"),
        it: format!("Il responsabile decide entro {span}"),
    }
    customer_decides_within(span: &str) {
        en: format!("Customer decides within {span}"),
        it: format!("Il cliente decide entro {span}"),
    }
    own_request_label(state: &str, ticket: &str, tenant: &str, service: &str) {
        en: format!("{state} request {ticket} for {tenant} {service}"),
        it: format!("Richiesta {ticket} ({state}) per {tenant} {service}"),
    }
    cancelled_done(ticket: &str) {
        en: format!("You cancelled request {ticket}."),
        it: format!("Hai annullato la richiesta {ticket}."),
    }
    cancel_request() { en: "Cancel request", it: "Annulla richiesta" }
    cancel_title() { en: "Cancel this request?", it: "Annullare questa richiesta?" }
    cancel_body() {
        en: "Nobody will be asked to decide it any more, and no access will be granted. You can open a new request later.",
        it: "Nessuno dovrà più decidere su questa richiesta e non verrà concesso alcun accesso. Potrai aprirne una nuova in seguito.",
    }
    why_optional() { en: "Why (optional)", it: "Motivo (facoltativo)" }
    choose_the_customer() { en: "Choose the customer.", it: "Scegli il cliente." }
    choose_customer_service() { en: "Choose one of the customer's services.", it: "Scegli uno dei servizi del cliente." }
    request_sent(ticket: &str, tenant: &str, service: &str) {
        en: format!("Request {ticket} for {tenant} ({service}) is waiting for a support manager's pre-approval."),
        it: format!("La richiesta {ticket} per {tenant} ({service}) attende la pre-approvazione di un responsabile del supporto."),
    }
    new_request() { en: "New request", it: "Nuova richiesta" }
    loading_customers() { en: "Loading customers…", it: "Caricamento dei clienti…" }
    choose_customer() { en: "Choose a customer…", it: "Scegli un cliente…" }
    choose_customer_first() { en: "Choose a customer first", it: "Prima scegli un cliente" }
    choose_service() { en: "Choose a service…", it: "Scegli un servizio…" }
    characters_count(n: i64, max: i64) {
        en: format!("{n} of {max} characters"),
        it: format!("{n} di {max} caratteri"),
    }
    sending() { en: "Sending…", it: "Invio in corso…" }
    send_for_preapproval() { en: "Send for pre-approval", it: "Invia per la pre-approvazione" }

    // Provider console > Pre-approvals.
    preapprovals_title() { en: "Requests awaiting pre-approval", it: "Richieste in attesa di pre-approvazione" }
    preapprovals_intro() {
        en: "Engineers' requests to reach a customer's content. Pre-approve only what the ticket needs; the customer decides next when their Customer Lockbox is on. Nobody decides their own request.",
        it: "Le richieste dei tecnici di accedere al contenuto di un cliente. Pre-approva solo ciò che serve alla richiesta di servizio; poi decide il cliente, se ha Customer Lockbox attivato. Nessuno decide sulla propria richiesta.",
    }
    nothing_awaiting_preapproval() { en: "Nothing is waiting for pre-approval.", it: "Nessuna richiesta attende la pre-approvazione." }
    awaiting_preapproval() { en: "Awaiting pre-approval", it: "In attesa di pre-approvazione" }
    decided_by_you() { en: "Decided by you", it: "Decise da te" }
    none_decided() { en: "You have not decided any request yet.", it: "Non hai ancora deciso nessuna richiesta." }
    column_decided() { en: "Decided", it: "Decisa il" }
    cell_decided() { en: "Decided ", it: "Decisa il " }
    decided_row_label(state: &str, ticket: &str, tenant: &str, requester: &str) {
        en: format!("{state} request {ticket} for {tenant} by {requester}"),
        it: format!("Richiesta {ticket} ({state}) per {tenant} di {requester}"),
    }
    preapproved_started(ticket: &str, tenant: &str) {
        en: format!("You pre-approved {ticket}. {tenant}'s Customer Lockbox is off, so access started now."),
        it: format!("Hai pre-approvato {ticket}. Customer Lockbox di {tenant} è disattivato, quindi l'accesso è iniziato subito."),
    }
    preapproved_waits(ticket: &str, tenant: &str) {
        en: format!("You pre-approved {ticket}. It now waits for {tenant}'s approvers."),
        it: format!("Hai pre-approvato {ticket}. Ora attende i responsabili approvazione di {tenant}."),
    }
    rejected_done(ticket: &str) {
        en: format!("You rejected {ticket}. No access will be granted."),
        it: format!("Hai respinto {ticket}. Non verrà concesso alcun accesso."),
    }
    preapprove_title() { en: "Pre-approve this request?", it: "Pre-approvare questa richiesta?" }
    reject_title() { en: "Reject this request?", it: "Respingere questa richiesta?" }
    preapprove() { en: "Pre-approve", it: "Pre-approva" }
    reject() { en: "Reject", it: "Respingi" }
    own_request_notice() {
        en: "You opened this request: another support manager decides it.",
        it: "Hai aperto tu questa richiesta: decide un altro responsabile del supporto.",
    }
    preapprove_consequence(requester: &str, tenant: &str, service: &str, duration: &str) {
        en: format!("{requester} may then reach {tenant}'s {service} content for {duration}, once the customer approves (at once if their Customer Lockbox is off)."),
        it: format!("{requester} potrà poi accedere al contenuto {service} di {tenant} per {duration}, dopo l'approvazione del cliente (subito, se il cliente ha Customer Lockbox disattivato)."),
    }

    // Provider console > Services.
    services_intro() {
        en: "The provider's services that put customer content behind Lockbox. Each signs in with its own key, gets grant tokens it verifies offline, and records every operator action in the customer's audit log before it reads anything.",
        it: "I servizi del fornitore che proteggono con Lockbox il contenuto dei clienti. Ognuno accede con la propria chiave, riceve token di accesso che verifica offline e registra ogni azione degli operatori nel log di controllo del cliente prima di leggere qualsiasi cosa.",
    }
    loading_services() { en: "Loading the services…", it: "Caricamento dei servizi…" }
    no_refused_calls() {
        en: "No service call was refused in the last 24 hours.",
        it: "Nessuna chiamata di servizio è stata rifiutata nelle ultime 24 ore.",
    }
    refused_calls(n: i64, reasons: &str) {
        en: format!("{n} service calls were refused in the last 24 hours ({reasons}): a service with a wrong key or clock, or someone posing as one."),
        it: format!("{n} {} nelle ultime 24 ore ({reasons}): un servizio con chiave o orologio errati, oppure qualcuno che si spaccia per un servizio.",
            plural(n, "chiamata di servizio è stata rifiutata", "chiamate di servizio sono state rifiutate")),
    }
    rate_limit(name: &str, limit: u32, period: u32, per: &str) {
        en: format!("{name} {limit} every {period} s per {}", match per { "person" => "person", "service" => "service", _ => "address" }),
        it: format!("{name} {limit} ogni {period} s per {}", match per { "person" => "persona", "service" => "servizio", _ => "indirizzo" }),
    }
    rate_limits_quiet(limits: &str) {
        en: format!("Rate limits ({limits}): no call refused in the last 24 hours."),
        it: format!("Limiti di frequenza ({limits}): nessuna chiamata rifiutata nelle ultime 24 ore."),
    }
    rate_limits_refused(limits: &str, n: i64, routes: &str) {
        en: format!("Rate limits ({limits}): {n} calls refused in the last 24 hours ({routes})."),
        it: format!("Limiti di frequenza ({limits}): {n} {} nelle ultime 24 ore ({routes}).",
            plural(n, "chiamata rifiutata", "chiamate rifiutate")),
    }
    no_services() { en: "No service is registered yet.", it: "Nessun servizio è ancora registrato." }
    service_removed(id: &str) {
        en: format!("Removed {id}: its sign-ins stop working now."),
        it: format!("Servizio rimosso: da ora {id} non può più accedere."),
    }
    remove_service_title(id: &str) { en: format!("Remove {id}?"), it: format!("Rimuovere {id}?") }
    service_serves() { en: "Serves", it: "Servizi coperti" }
    operations() { en: "Operations", it: "Operazioni" }
    operations_count(n: i64, content: i64) {
        en: format!("{n} ({content} read content)"),
        it: format!("{n} ({content} {} il contenuto)", plural(content, "legge", "leggono")),
    }
    service_keys() { en: "Keys", it: "Chiavi" }
    access_service_token() { en: "Access service token", it: "Token di servizio di Access" }
    service_changed() { en: "Changed", it: "Modificato il" }
    service_changed_by() { en: "Changed by", it: "Modificato da" }
    kind_content() { en: "content", it: "contenuto" }
    operations_needed() { en: "Operations needed", it: "Operazioni necessarie" }
    choose_service_for_operations() {
        en: "Choose the service to see its operations.",
        it: "Scegli il servizio per vederne le operazioni.",
    }
    choose_an_operation() {
        en: "Choose at least one operation.",
        it: "Scegli almeno un'operazione.",
    }
    operations_allowed() { en: "Operations allowed", it: "Operazioni consentite" }
    operations_asked() { en: "Operations asked for", it: "Operazioni richieste" }
    allow_operations_note() {
        en: "Untick what the engineer does not need. Operations that read content are marked.",
        it: "Togli la spunta a ciò che non serve al tecnico. Le operazioni che leggono il contenuto sono segnalate.",
    }
    allow_one_operation() {
        en: "Allow at least one operation, or deny the request.",
        it: "Consenti almeno un'operazione, oppure rifiuta la richiesta.",
    }
    kind_metadata() { en: "metadata", it: "metadati" }
    remove_service() { en: "Remove service", it: "Rimuovi servizio" }
    remove_service_body() {
        en: " can no longer sign in to Lockbox: it records nothing, so it must read nothing. Grant tokens name it no more. The removal is recorded in the provider log.",
        it: " non potrà più accedere a Lockbox: non registra nulla, quindi non deve leggere nulla. I token di accesso non lo nominano più. La rimozione viene registrata nel log del fornitore.",
    }
    not_json() { en: "it is not JSON", it: "non è JSON" }
    not_a_registration(why: &str) {
        en: format!("This is not a registration ({why}). Start from the example below."),
        it: format!("Questa non è una registrazione ({why}). Parti dall'esempio qui sotto."),
    }
    registration_saved(id: &str) {
        en: format!("Saved {id}: it may sign in with the keys listed."),
        it: format!("Registrazione salvata: {id} può accedere con le chiavi elencate."),
    }
    register_title() { en: "Register or change a service", it: "Registra o modifica un servizio" }
    registration_json() { en: "Registration (JSON)", it: "Registrazione (JSON)" }
    registration_hint() {
        en: "The same body as POST /api/v1/provider/services. The same id again replaces the registration; two keys are allowed during a rotation.",
        it: "Lo stesso corpo di POST /api/v1/provider/services. Lo stesso id sostituisce la registrazione; durante una rotazione sono ammesse due chiavi.",
    }
    save_registration() { en: "Save registration", it: "Salva registrazione" }
    example() { en: "Example", it: "Esempio" }
    provider_log() { en: "Provider log", it: "Log del fornitore" }
    provider_log_empty() { en: "Nothing registered or changed yet.", it: "Ancora nulla di registrato o modificato." }
    keys_colon() { en: "Keys: ", it: "Chiavi: " }

    // Provider console > a grant.
    loading_grant() { en: "Loading the grant…", it: "Caricamento dell'accesso…" }
    grant_heading() { en: "Grant", it: "Accesso concesso" }
    grant_title(tenant: &str, service: &str) {
        en: format!("Grant: {tenant} · {service}"),
        it: format!("Accesso concesso: {tenant} · {service}"),
    }
    at_time() { en: " at ", it: " il " }
    grant_revoked(when: &str) {
        en: format!("Access ended: the customer revoked it{when}."),
        it: format!("Accesso terminato: il cliente l'ha revocato{when}."),
    }
    grant_completed(when: &str) {
        en: format!("Access ended{when}: the grant ran out."),
        it: format!("Accesso terminato{when}: il tempo concesso è finito."),
    }
    not_granted_manager() {
        en: "Not granted yet: the request waits for a support manager's pre-approval.",
        it: "Non ancora concesso: la richiesta attende la pre-approvazione di un responsabile del supporto.",
    }
    not_granted_customer() {
        en: "Not granted yet: the request waits for the customer's approval.",
        it: "Non ancora concesso: la richiesta attende l'approvazione del cliente.",
    }
    no_access_granted(state: &str) {
        en: format!("No access was granted: the request is {state}."),
        it: format!("Non è stato concesso alcun accesso (stato della richiesta: {state})."),
    }
    loading_operations() { en: "Loading the operations…", it: "Caricamento delle operazioni…" }
    no_operations() {
        en: "No service the console reaches offers operations for this service: call the provider's service directly with a grant token.",
        it: "Nessun servizio raggiungibile dalla console offre operazioni per questo servizio: chiama direttamente il servizio del fornitore con un token di accesso.",
    }
    run_note() {
        en: "Each run is written to the customer's audit log with this request, your e-mail and the parameters, before the service reads anything.",
        it: "Ogni esecuzione viene scritta nel log di controllo del cliente con questa richiesta, la tua e-mail e i parametri, prima che il servizio legga qualsiasi cosa.",
    }
    operation() { en: "Operation", it: "Operazione" }
    optional_suffix() { en: " (optional)", it: " (facoltativo)" }
    running() { en: "Running…", it: "Esecuzione in corso…" }
    run() { en: "Run ", it: "Esegui " }
    ran_at() { en: "Ran at ", it: "Eseguita il " }
    audit_record_of_run() { en: " · audit record ", it: " · record di controllo " }
    result() { en: "Result", it: "Risultato" }
}

/// Messages whose Italian is rightly the same as the English (names,
/// identifiers, words Italian borrows).
pub const SAME_IN_EVERY_LANGUAGE: &[&str] = &[
    // Italian says "database" too ("base di dati" reads as a textbook).
    "status_database",
];

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
