//! The words of the e-mails and of the text the webhooks carry, in every
//! language: one function per message, as the pages' (`super`). Values
//! that come from people are defanged before they are passed in
//! (`notify::defang`); no message names an address of any kind.

use crate::messages;

messages! {
    // The labels of the facts every e-mail lists.
    organisation() { en: "Organisation", it: "Organizzazione" }
    service() { en: "Service", it: "Servizio" }
    ticket() { en: "Ticket number", it: "Numero di richiesta di servizio" }
    reason() { en: "Reason", it: "Motivo" }
    asked() { en: "Access asked for", it: "Accesso richiesto per" }
    operations_asked() { en: "Operations asked for", it: "Operazioni richieste" }
    operations_allowed() { en: "Operations allowed", it: "Operazioni consentite" }
    reads_content() { en: "reads content", it: "legge il contenuto" }
    requested_by() { en: "Requested by", it: "Richiesta da" }
    requested_at() { en: "Requested at", it: "Richiesta il" }
    extends() { en: "Extends request", it: "Prolunga la richiesta" }
    continues_from() { en: "Continues from", it: "Prosegue dal" }
    expires_at() { en: "Expires at", it: "Scade il" }
    preapproved_by() { en: "Pre-approved by", it: "Pre-approvata da" }
    access_from() { en: "Access from", it: "Accesso dal" }
    access_until() { en: "Access until", it: "Accesso fino al" }
    decide_by() { en: "Customer must decide by", it: "Il cliente deve decidere entro il" }
    comment() { en: "Comment", it: "Commento" }
    expired_at() { en: "Expired at", it: "Scaduta il" }
    revoked_at() { en: "Revoked at", it: "Revocata il" }
    request_id() { en: "Request id", it: "ID richiesta" }
    changed_by() { en: "Changed by", it: "Modificato da" }
    changed_at() { en: "Changed at", it: "Modificato il" }
    person() { en: "Person", it: "Persona" }
    role() { en: "Role", it: "Ruolo" }
    customer_lockbox() { en: "Customer Lockbox", it: "Customer Lockbox" }
    on() { en: "On", it: "Attivato" }
    off() { en: "Off", it: "Disattivato" }

    /// The sentence every e-mail ends with.
    no_links() {
        en: "Lockbox never puts links in its messages. Sign in to the pages you always use, by typing their address yourself or from your own bookmark; treat any message that claims to come from Lockbox and carries a link as phishing.",
        it: "Lockbox non mette mai link nei suoi messaggi. Accedi alle pagine che usi sempre digitandone tu l'indirizzo o dal tuo segnalibro; considera phishing qualsiasi messaggio che dice di venire da Lockbox e contiene un link.",
    }

    // A request awaits a support manager's pre-approval (to the managers).
    awaiting_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: request for {tenant} {service} awaits pre-approval (ticket {ticket})"),
        it: format!("Lockbox: una richiesta per {service} di {tenant} attende la pre-approvazione (richiesta di servizio {ticket})"),
    }
    awaiting_opening() {
        en: "A support engineer asks for access to a customer's content. It needs a support manager's pre-approval; you cannot pre-approve a request you opened yourself.",
        it: "Un tecnico del supporto chiede di accedere al contenuto di un cliente. Serve la pre-approvazione di un responsabile del supporto; non puoi pre-approvare una richiesta che hai aperto tu.",
    }
    awaiting_closing() {
        en: "To decide, sign in to the provider console and open Pre-approvals.",
        it: "Per decidere, accedi alla console del fornitore e apri Pre-approvazioni.",
    }

    // A request awaits the customer's decision (to its approvers).
    pending_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: a support engineer asks for access to {tenant} {service} (ticket {ticket})"),
        it: format!("Lockbox: un tecnico del supporto chiede di accedere a {service} di {tenant} (richiesta di servizio {ticket})"),
    }
    pending_opening(tenant: &str) {
        en: format!("A support engineer asks for access to your organisation's content. Nothing is opened unless a person at {tenant} approves. If nobody decides before it expires, nothing is granted."),
        it: format!("Un tecnico del supporto chiede di accedere al contenuto della tua organizzazione. Non si apre nulla se una persona di {tenant} non approva. Se nessuno decide prima della scadenza, non viene concesso nulla."),
    }
    pending_closing() {
        en: "To approve or deny, sign in to your organisation's admin pages yourself and open Support > Customer Lockbox requests.",
        it: "Per approvare o rifiutare, accedi direttamente alle pagine di amministrazione della tua organizzazione e apri Supporto > Richieste di Customer Lockbox.",
    }

    // To the requester, as their request moves on.
    preapproved_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: your request for {tenant} {service} was pre-approved (ticket {ticket})"),
        it: format!("Lockbox: la tua richiesta per {service} di {tenant} è stata pre-approvata (richiesta di servizio {ticket})"),
    }
    preapproved_lockbox_off(tenant: &str) {
        en: format!("Your request was pre-approved. {tenant} has Customer Lockbox off, so access started at once, without the customer's approval; it is recorded in their audit log."),
        it: format!("La tua richiesta è stata pre-approvata. {tenant} ha Customer Lockbox disattivato, quindi l'accesso è iniziato subito, senza l'approvazione del cliente; resta registrato nel suo log di controllo."),
    }
    preapproved_waiting(tenant: &str) {
        en: format!("Your request was pre-approved and now awaits a decision at {tenant}."),
        it: format!("La tua richiesta è stata pre-approvata e ora attende una decisione di {tenant}."),
    }
    follow_closing() {
        en: "Sign in to the provider console to follow it.",
        it: "Accedi alla console del fornitore per seguirla.",
    }
    see_closing() {
        en: "Sign in to the provider console to see it.",
        it: "Accedi alla console del fornitore per vederla.",
    }
    rejected_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: your request for {tenant} {service} was rejected (ticket {ticket})"),
        it: format!("Lockbox: la tua richiesta per {service} di {tenant} è stata respinta (richiesta di servizio {ticket})"),
    }
    rejected_opening() {
        en: "A support manager rejected your request. Nothing was granted.",
        it: "Un responsabile del supporto ha respinto la tua richiesta. Non è stato concesso nulla.",
    }
    approved_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: {tenant} approved your request for {service} (ticket {ticket})"),
        it: format!("Lockbox: {tenant} ha approvato la tua richiesta per {service} (richiesta di servizio {ticket})"),
    }
    approved_opening(tenant: &str) {
        en: format!("{tenant} approved your request. Access is live until it ends or is revoked."),
        it: format!("{tenant} ha approvato la tua richiesta. L'accesso è attivo finché non termina o viene revocato."),
    }
    approved_closing() {
        en: "Sign in to the provider console and open the grant to work.",
        it: "Accedi alla console del fornitore e apri l'accesso concesso per lavorare.",
    }
    denied_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: {tenant} denied your request for {service} (ticket {ticket})"),
        it: format!("Lockbox: {tenant} ha rifiutato la tua richiesta per {service} (richiesta di servizio {ticket})"),
    }
    denied_opening(tenant: &str) {
        en: format!("{tenant} denied your request. Nothing was granted."),
        it: format!("{tenant} ha rifiutato la tua richiesta. Non è stato concesso nulla."),
    }
    expired_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: your request for {tenant} {service} expired (ticket {ticket})"),
        it: format!("Lockbox: la tua richiesta per {service} di {tenant} è scaduta (richiesta di servizio {ticket})"),
    }
    expired_at_customer(tenant: &str) {
        en: format!("Your request expired: nobody at {tenant} decided in time. Nothing was granted."),
        it: format!("La tua richiesta è scaduta: nessuno di {tenant} ha deciso in tempo. Non è stato concesso nulla."),
    }
    expired_at_manager() {
        en: "Your request expired: no support manager decided in time. Nothing was granted.",
        it: "La tua richiesta è scaduta: nessun responsabile del supporto ha deciso in tempo. Non è stato concesso nulla.",
    }
    access_ended_at() { en: "Access ended at", it: "Accesso terminato il" }
    access_ended_how() { en: "How it ended", it: "Come è terminato" }
    ended_ran_out() { en: "It ran its course", it: "È arrivato alla scadenza" }
    ended_revoked() { en: "Revoked early", it: "Revocato in anticipo" }
    minutes_used() { en: "Minutes used", it: "Minuti usati" }
    minutes_of(used: i64, granted: i64) {
        en: format!("{used} of {granted}"),
        it: format!("{used} su {granted}"),
    }
    actions_taken() { en: "Operations run", it: "Operazioni eseguite" }
    refused_attempts() { en: "Refused attempts", it: "Tentativi rifiutati" }
    report_sha256() { en: "Report SHA-256", it: "SHA-256 del report" }
    per_operation() { en: "Per operation:", it: "Per operazione:" }
    no_operations() { en: "  No operation was run or attempted.", it: "  Nessuna operazione è stata eseguita o tentata." }
    operation_count(succeeded: u32, refused: u32) {
        en: if refused == 0 { format!("{succeeded} run") } else { format!("{succeeded} run, {refused} refused") },
        it: if refused == 0 { format!("{succeeded} eseguite") } else { format!("{succeeded} eseguite, {refused} rifiutate") },
    }
    report_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: access to {tenant} {service} has ended; what was done (ticket {ticket})"),
        it: format!("Lockbox: l'accesso a {service} di {tenant} è terminato; cosa è stato fatto (richiesta di servizio {ticket})"),
    }
    report_opening(tenant: &str) {
        en: format!("An engineer's access to {tenant}'s content has ended. This is what was recorded under it."),
        it: format!("L'accesso di un tecnico ai contenuti di {tenant} è terminato. Ecco cosa è stato registrato."),
    }
    report_closing() {
        en: "The request's page in Lockbox offers the signed report of every operation, each with its proof in the audit log; the SHA-256 above identifies that report. Check it offline with: lockbox report verify <file> --key <file>.",
        it: "La pagina della richiesta in Lockbox offre il report firmato di ogni operazione, ciascuna con la sua prova nel registro di controllo; lo SHA-256 qui sopra identifica quel report. Verificalo offline con: lockbox report verify <file> --key <file>.",
    }
    managers() { en: "Approved by managers", it: "Approvata dai responsabili" }
    incident() { en: "Incident", it: "Incidente" }
    review_by() { en: "Review by", it: "Da valutare entro il" }
    emergency_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: emergency access to {tenant} {service} has started without your approval (ticket {ticket})"),
        it: format!("Lockbox: è iniziato un accesso di emergenza a {service} di {tenant} senza la vostra approvazione (richiesta di servizio {ticket})"),
    }
    emergency_opening(tenant: &str) {
        en: format!("Two of the provider's support managers approved emergency access to {tenant}'s content for an incident. It started without your approval; it lasts at most an hour and allows only what is listed."),
        it: format!("Due responsabili del supporto del fornitore hanno approvato un accesso di emergenza ai contenuti di {tenant} per un incidente. È iniziato senza la vostra approvazione; dura al massimo un'ora e consente solo quanto elencato."),
    }
    emergency_closing() {
        en: "Sign in to Lockbox to revoke it at once if you do not accept it. When it ends you will be asked to ratify or dispute what was done.",
        it: "Accedi a Lockbox per revocarlo subito se non lo accetti. Quando termina vi sarà chiesto di ratificare o contestare ciò che è stato fatto.",
    }
    review_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: review the emergency access to {tenant} {service} (ticket {ticket})"),
        it: format!("Lockbox: valuta l'accesso di emergenza a {service} di {tenant} (richiesta di servizio {ticket})"),
    }
    review_opening() {
        en: "An emergency access has ended. Look at what was done and ratify or dispute it within 7 days; without a verdict it is marked Unreviewed.",
        it: "Un accesso di emergenza è terminato. Guarda cosa è stato fatto e ratificalo o contestalo entro 7 giorni; senza una valutazione viene segnato come non valutato.",
    }
    review_closing() {
        en: "Sign in to Lockbox and open the request to see its report and give your verdict.",
        it: "Accedi a Lockbox e apri la richiesta per vedere il report e dare la tua valutazione.",
    }
    disputed_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: {tenant} disputes the emergency access to {service} (ticket {ticket})"),
        it: format!("Lockbox: {tenant} contesta l'accesso di emergenza a {service} (richiesta di servizio {ticket})"),
    }
    disputed_opening(tenant: &str) {
        en: format!("{tenant} disputed what was done under an emergency access. Their comment is below; follow it up with them."),
        it: format!("{tenant} ha contestato ciò che è stato fatto durante un accesso di emergenza. Il commento è qui sotto; seguite la questione con loro."),
    }
    new_request_closing() {
        en: "Open a new request if access is still needed.",
        it: "Apri una nuova richiesta se l'accesso serve ancora.",
    }
    revoked_subject(tenant: &str, service: &str, ticket: &str) {
        en: format!("Lockbox: {tenant} revoked your access to {service} (ticket {ticket})"),
        it: format!("Lockbox: {tenant} ha revocato il tuo accesso a {service} (richiesta di servizio {ticket})"),
    }
    revoked_opening(tenant: &str) {
        en: format!("{tenant} ended your access early. Operations are refused from now on."),
        it: format!("{tenant} ha terminato in anticipo il tuo accesso. D'ora in poi le operazioni vengono rifiutate."),
    }
    ending_subject(tenant: &str, service: &str, until: &str, ticket: &str) {
        en: format!("Lockbox: your access to {tenant} {service} ends at {until} (ticket {ticket})"),
        it: format!("Lockbox: il tuo accesso a {service} di {tenant} termina il {until} (richiesta di servizio {ticket})"),
    }
    ending_opening() {
        en: "Your access ends soon; it cannot be extended in place.",
        it: "Il tuo accesso termina a breve; non si può prolungare così com'è.",
    }
    ending_closing() {
        en: "Finish your work, or open a new request if you need more time.",
        it: "Completa il lavoro, oppure apri una nuova richiesta se ti serve altro tempo.",
    }

    // To a tenant's global admins, when its settings or roles change.
    switched_on_subject(tenant: &str) {
        en: format!("Lockbox: Customer Lockbox was turned on for {tenant}"),
        it: format!("Lockbox: Customer Lockbox è stato attivato per {tenant}"),
    }
    switched_off_subject(tenant: &str) {
        en: format!("Lockbox: Customer Lockbox was turned off for {tenant}"),
        it: format!("Lockbox: Customer Lockbox è stato disattivato per {tenant}"),
    }
    switched_on_meaning() {
        en: "From now on, every access request needs the approval of a person at your organisation.",
        it: "D'ora in poi ogni richiesta di accesso richiede l'approvazione di una persona della tua organizzazione.",
    }
    switched_off_meaning() {
        en: "From now on, access requests pre-approved by the provider's support manager start at once, without your approval; each is still time-boxed and recorded in your audit log.",
        it: "D'ora in poi le richieste di accesso pre-approvate dal responsabile del supporto del fornitore iniziano subito, senza la tua approvazione; ognuna resta limitata nel tempo e registrata nel tuo log di controllo.",
    }
    settings_closing() {
        en: "If you did not expect this change, sign in to your organisation's admin pages yourself and open Settings > Org settings > Security & Privacy.",
        it: "Se non ti aspettavi questa modifica, accedi direttamente alle pagine di amministrazione della tua organizzazione e apri Impostazioni > Impostazioni organizzazione > Sicurezza e privacy.",
    }
    role_added_subject(member: &str, role: &str, tenant: &str) {
        en: format!("Lockbox: {member} is now {role} at {tenant}"),
        it: format!("Lockbox: {member} ora è {role} in {tenant}"),
    }
    role_removed_subject(member: &str, role: &str, tenant: &str) {
        en: format!("Lockbox: {member} is no longer {role} at {tenant}"),
        it: format!("Lockbox: {member} non è più {role} in {tenant}"),
    }
    role_added_opening(member: &str, role: &str, tenant: &str) {
        en: format!("{member} now holds the Lockbox role {role} at {tenant}."),
        it: format!("{member} ora ha il ruolo Lockbox {role} in {tenant}."),
    }
    role_removed_opening(member: &str, role: &str, tenant: &str) {
        en: format!("{member} no longer holds the Lockbox role {role} at {tenant}."),
        it: format!("{member} non ha più il ruolo Lockbox {role} in {tenant}."),
    }
    roles_closing() {
        en: "If you did not expect this change, sign in to your organisation's admin pages yourself and open Roles.",
        it: "Se non ti aspettavi questa modifica, accedi direttamente alle pagine di amministrazione della tua organizzazione e apri Ruoli.",
    }

    // The text a webhook carries, in the tenant's default language.
    hook_pending(service: &str, ticket: &str, tenant: &str) {
        en: format!("A support engineer asks for access to {service} (ticket {ticket}); the request awaits a decision at {tenant}."),
        it: format!("Un tecnico del supporto chiede di accedere a {service} (richiesta di servizio {ticket}); la richiesta attende una decisione di {tenant}."),
    }
    hook_approved(by: &str, service: &str, ticket: &str) {
        en: format!("{by} approved the request for {service} (ticket {ticket})."),
        it: format!("{by} ha approvato la richiesta per {service} (richiesta di servizio {ticket})."),
    }
    hook_denied(by: &str, service: &str, ticket: &str) {
        en: format!("{by} denied the request for {service} (ticket {ticket})."),
        it: format!("{by} ha rifiutato la richiesta per {service} (richiesta di servizio {ticket})."),
    }
    hook_expired(service: &str, ticket: &str) {
        en: format!("The request for {service} (ticket {ticket}) expired: nobody decided in time. Nothing was granted."),
        it: format!("La richiesta per {service} (richiesta di servizio {ticket}) è scaduta: nessuno ha deciso in tempo. Non è stato concesso nulla."),
    }
    hook_started(service: &str, ticket: &str, until: &str) {
        en: format!("Access to {service} started (ticket {ticket}); it ends at {until}."),
        it: format!("L'accesso a {service} è iniziato (richiesta di servizio {ticket}); termina il {until}."),
    }
    hook_emergency(service: &str, ticket: &str, until: &str) {
        en: format!("Emergency access to {service} started without your approval (ticket {ticket}); it ends at {until}."),
        it: format!("È iniziato un accesso di emergenza a {service} senza la vostra approvazione (richiesta di servizio {ticket}); termina il {until}."),
    }
    hook_reviewed(service: &str, ticket: &str, verdict: &str) {
        en: format!("The emergency access to {service} (ticket {ticket}) was reviewed: {verdict}."),
        it: format!("L'accesso di emergenza a {service} (richiesta di servizio {ticket}) è stato valutato: {verdict}."),
    }
    hook_ended(service: &str, ticket: &str) {
        en: format!("Access to {service} ended (ticket {ticket})."),
        it: format!("L'accesso a {service} è terminato (richiesta di servizio {ticket})."),
    }
    hook_action(service: &str, ticket: &str) {
        en: format!("An operation ran in {service} (ticket {ticket})."),
        it: format!("È stata eseguita un'operazione in {service} (richiesta di servizio {ticket})."),
    }
    hook_operation(operation: &str, item: &str, service: &str, ticket: &str) {
        en: format!("The operation {operation} ran on {item} in {service} (ticket {ticket})."),
        it: format!("L'operazione {operation} è stata eseguita su {item} in {service} (richiesta di servizio {ticket})."),
    }
}

/// Messages whose Italian is rightly the same as the English.
pub const SAME_IN_EVERY_LANGUAGE: &[&str] = &[
    // The product's name, never translated (GLOSSARY.md).
    "customer_lockbox",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_italian_sentence_is_written_not_copied() {
        for ((name, en), (_, it)) in every(Lang::En).iter().zip(&every(Lang::It)) {
            if SAME_IN_EVERY_LANGUAGE.contains(name) {
                continue;
            }
            assert!(!it.trim().is_empty(), "{name}: no Italian");
            assert_ne!(en, it, "{name}: the Italian is the English");
        }
    }
}
