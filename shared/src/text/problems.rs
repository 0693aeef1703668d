//! The sentences the pages show for a problem answer, chosen by its type
//! and field ([`sentence`]): the API's `detail` is English for machine
//! clients, so a reader of another language gets one of these instead.

use crate::i18n::Lang;
use crate::messages;
use crate::problem::ProblemType;
use crate::validation::{
    MAX_APPROVALS_REQUIRED, MAX_COMMENT_CHARS, MAX_GRANT_MINUTES, MAX_REASON_CHARS,
    MAX_TICKET_CHARS,
};

messages! {
    not_found() {
        en: "This does not exist, or is not one you may see.",
        it: "Non esiste, oppure non hai il permesso di vederlo.",
    }
    sign_in_required() {
        en: "You are not signed in, or your sign-in has expired. Sign in again.",
        it: "Non hai effettuato l'accesso, oppure l'accesso è scaduto. Accedi di nuovo.",
    }
    no_account() {
        en: "Lockbox has no account for the identity you signed in with. Ask your administrator to add you.",
        it: "Lockbox non ha un account per l'identità con cui hai effettuato l'accesso. Chiedi al tuo amministratore di aggiungerti.",
    }
    not_allowed() {
        en: "Your roles do not allow this.",
        it: "I tuoi ruoli non lo consentono.",
    }
    cross_site() {
        en: "This change did not come from the Lockbox pages, so it was refused. Make it from the Lockbox pages.",
        it: "Questa modifica non proviene dalle pagine di Lockbox ed è stata rifiutata. Falla dalle pagine di Lockbox.",
    }
    malformed() {
        en: "This page sent something Lockbox does not accept. Reload the page and try again.",
        it: "Questa pagina ha inviato dati che Lockbox non accetta. Ricarica la pagina e riprova.",
    }
    invalid() {
        en: "Something you entered is not valid. Check the form and try again.",
        it: "Un dato inserito non è valido. Controlla il modulo e riprova.",
    }
    not_decided() {
        en: "This request has not been decided yet, so there is nothing to show.",
        it: "Questa richiesta non è ancora stata decisa, quindi non c'è nulla da mostrare.",
    }
    not_ended() {
        en: "The report of what was done is written when the access ends; this one has not ended yet.",
        it: "Il report di ciò che è stato fatto viene scritto quando l'accesso termina; questo non è ancora terminato.",
    }
    emergency_not_allowed() {
        en: "This organisation does not allow this emergency access. Open a normal request, which its approvers decide on.",
        it: "Questa organizzazione non consente questo accesso di emergenza. Apri una richiesta normale, su cui decidono i suoi approvatori.",
    }
    emergency_limit() {
        en: "This organisation has reached its limit of emergency access for now. Open a normal request.",
        it: "Questa organizzazione ha raggiunto per ora il limite di accessi di emergenza. Apri una richiesta normale.",
    }
    review_refused() {
        en: "This emergency access cannot be reviewed now: it has not ended, or it was reviewed already, or the 7 days to review it ran out.",
        it: "Questo accesso di emergenza non si può valutare ora: non è terminato, oppure è già stato valutato, oppure i 7 giorni per valutarlo sono scaduti.",
    }
    tenant_frozen() {
        en: "All access to this organisation is frozen: nothing can be approved or opened until a global admin lifts the freeze.",
        it: "Tutti gli accessi a questa organizzazione sono bloccati: non si può approvare né aprire nulla finché un amministratore globale non toglie il blocco.",
    }
    freeze_still_ending() {
        en: "The freeze is still ending some grants and requests. Lift it again to end the next ones.",
        it: "Il blocco sta ancora chiudendo alcuni accessi e richieste. Toglilo di nuovo per chiudere i successivi.",
    }
    request_changed() {
        en: "This request changed meanwhile (someone decided, or it expired or ended). The page shows it as it is now.",
        it: "Nel frattempo questa richiesta è cambiata (qualcuno ha deciso, oppure è scaduta o terminata). La pagina la mostra com'è ora.",
    }
    already_approved() {
        en: "You have already approved this request. Another person must approve it too.",
        it: "Hai già approvato questa richiesta. Deve approvarla anche un'altra persona.",
    }
    extension_limit() {
        en: "A grant and its extensions can last at most 8 hours in all. Open a new request.",
        it: "Un accesso e i suoi prolungamenti possono durare al massimo 8 ore in tutto. Apri una nuova richiesta.",
    }
    extension_open() {
        en: "More time has already been asked for on this grant. Wait for that decision.",
        it: "Per questo accesso è già stato chiesto altro tempo. Attendi quella decisione.",
    }
    extended_grant_over() {
        en: "The access this would extend has ended. Open a new request.",
        it: "L'accesso che questa richiesta prolungherebbe è terminato. Apri una nuova richiesta.",
    }
    operation_not_asked() {
        en: "You can allow only operations the engineer asked for. Untick the others.",
        it: "Puoi consentire solo le operazioni che il tecnico ha chiesto. Togli la spunta alle altre.",
    }
    nothing_allowed() {
        en: "With the operations the other approvers allowed, this choice would allow none. Allow one they allowed too, or deny the request.",
        it: "Con le operazioni consentite dagli altri approvatori, questa scelta non ne consentirebbe nessuna. Consentine una che hanno consentito anche loro, oppure rifiuta la richiesta.",
    }
    operation_not_granted() {
        en: "This access does not allow that operation: the approvers did not grant it. Ask for it in a new request.",
        it: "Questo accesso non consente quell'operazione: gli approvatori non l'hanno concessa. Chiedila con una nuova richiesta.",
    }
    no_live_grant() {
        en: "There is no live access for this content: it was never approved, has ended or was revoked.",
        it: "Non c'è un accesso attivo a questo contenuto: non è mai stato approvato, è terminato o è stato revocato.",
    }
    grant_not_live() {
        en: "This access is no longer live: it ended, was revoked, or the organisation froze all access.",
        it: "Questo accesso non è più attivo: è terminato, è stato revocato o l'organizzazione ha bloccato tutti gli accessi.",
    }
    not_covered() {
        en: "This access does not cover that operation or that content.",
        it: "Questo accesso non copre quell'operazione o quel contenuto.",
    }
    reused() {
        en: "This was already sent with different content. Reload the page and try again.",
        it: "È già stato inviato con un contenuto diverso. Ricarica la pagina e riprova.",
    }
    unreachable() {
        en: "The service that holds this content did not answer. Try again in a moment.",
        it: "Il servizio che contiene questo contenuto non ha risposto. Riprova tra poco.",
    }
    tenant_moving() {
        en: "Your organisation's data is being moved to its own database; nothing was changed. Try again in a minute.",
        it: "I dati della tua organizzazione vengono spostati nel loro database; non è stato modificato nulla. Riprova tra un minuto.",
    }
    too_many() {
        en: "Too many calls in a short time; nothing was changed. Wait a minute and try again.",
        it: "Troppe chiamate in poco tempo; non è stato modificato nulla. Attendi un minuto e riprova.",
    }
    internal() {
        en: "Something failed on our side and nothing was changed. Try again in a moment.",
        it: "Si è verificato un errore da parte nostra e non è stato modificato nulla. Riprova tra poco.",
    }
    internal_after_change() {
        en: "Something failed on our side, possibly after your change was saved. Reload the page to see where things stand before you repeat it.",
        it: "Si è verificato un errore da parte nostra, forse dopo che la modifica è stata salvata. Ricarica la pagina per vedere com'è ora prima di ripeterla.",
    }

    // When no problem document came back.
    offline() {
        en: "Lockbox could not be reached. Check your connection and try again.",
        it: "Impossibile raggiungere Lockbox. Controlla la connessione e riprova.",
    }
    unexpected(status: u16) {
        en: format!("Lockbox gave an answer this page does not understand (HTTP {status}). Try again."),
        it: format!("Lockbox ha dato una risposta che questa pagina non comprende (HTTP {status}). Riprova."),
    }

    // A field of a form.
    field_ticket(max: usize) {
        en: format!("The ticket number must be 1 to {max} letters, digits or - _ # . / characters."),
        it: format!("Il numero di richiesta di servizio deve avere da 1 a {max} lettere, cifre o caratteri - _ # . /"),
    }
    field_reason(max: usize) {
        en: format!("Say why access to the customer's content is needed, in at most {max} characters."),
        it: format!("Spiega perché serve accedere al contenuto del cliente, in al massimo {max} caratteri."),
    }
    field_comment(max: usize) {
        en: format!("The comment can be at most {max} characters."),
        it: format!("Il commento può avere al massimo {max} caratteri."),
    }
    field_duration(max: u32) {
        en: format!("Choose a duration between 1 minute and {} hours.", max / 60),
        it: format!("Scegli una durata tra 1 minuto e {} ore.", max / 60),
    }
    field_service() {
        en: "Choose one of the organisation's services.",
        it: "Scegli uno dei servizi dell'organizzazione.",
    }
    field_tenant() {
        en: "Choose one of the listed organisations.",
        it: "Scegli una delle organizzazioni elencate.",
    }
    field_required(max: u8) {
        en: format!("A request can need 1 to {max} approvals, and no more than the people at your organisation who can approve. Give the approver role to more people on the Roles page first."),
        it: format!("Una richiesta può richiedere da 1 a {max} approvazioni, e non più delle persone della tua organizzazione che possono approvare. Prima assegna il ruolo di responsabile approvazione ad altre persone nella pagina Ruoli."),
    }
    field_url() {
        en: "Give an https:// address your organisation controls; it cannot carry a user name, a password or a fragment.",
        it: "Indica un indirizzo https:// controllato dalla tua organizzazione, senza nome utente, password o frammento.",
    }
    field_events() {
        en: "Choose at least one event.",
        it: "Scegli almeno un evento.",
    }
    field_language() {
        en: "Choose English or Italiano.",
        it: "Scegli English o Italiano.",
    }
    field_email() {
        en: "Give the e-mail address of a person of your organisation.",
        it: "Indica l'indirizzo e-mail di una persona della tua organizzazione.",
    }
    field_operations() {
        en: "Check the operations named: at least one, each an operation the service registered, named like Get-Message.",
        it: "Controlla le operazioni indicate: almeno una, ciascuna registrata dal servizio, con un nome come Get-Message.",
    }
    field_registration() {
        en: "The registration is not valid: check its operations, keys and names against the documentation.",
        it: "La registrazione non è valida: controlla operazioni, chiavi e nomi con la documentazione.",
    }
}

/// What the pages say, in `lang`, for a problem of `kind` about `field`
/// (the type's sentence where no field has its own).
pub fn sentence(lang: Lang, kind: Option<ProblemType>, field: Option<&str>) -> String {
    use ProblemType::*;
    let field_sentence = match field {
        Some("ticket") => Some(field_ticket(lang, MAX_TICKET_CHARS)),
        Some("reason") => Some(field_reason(lang, MAX_REASON_CHARS)),
        Some("comment") => Some(field_comment(lang, MAX_COMMENT_CHARS)),
        Some("duration_minutes" | "minutes") => Some(field_duration(lang, MAX_GRANT_MINUTES)),
        Some("service") => Some(field_service(lang).to_owned()),
        Some("tenant_id") => Some(field_tenant(lang).to_owned()),
        Some("required") => Some(field_required(lang, MAX_APPROVALS_REQUIRED)),
        Some("url") => Some(field_url(lang).to_owned()),
        Some("events") => Some(field_events(lang).to_owned()),
        Some("language") => Some(field_language(lang).to_owned()),
        Some("email") => Some(field_email(lang).to_owned()),
        Some("operations") => Some(field_operations(lang).to_owned()),
        Some("keys" | "parameters" | "access_common_name" | "id") => {
            Some(field_registration(lang).to_owned())
        }
        _ => None,
    };
    if let Some(sentence) = field_sentence {
        return sentence;
    }
    match kind {
        Some(NotFound | MethodNotAllowed) => not_found(lang),
        Some(SignInRequired | ServiceNotAuthenticated) => sign_in_required(lang),
        Some(NoAccount) => no_account(lang),
        Some(NotAllowed) => not_allowed(lang),
        Some(CrossSite) => cross_site(lang),
        Some(JsonRequired | TooLarge) => malformed(lang),
        Some(InvalidRequest) => invalid(lang),
        Some(NotDecided) => not_decided(lang),
        Some(NotEnded) => not_ended(lang),
        Some(EmergencyNotAllowed) => emergency_not_allowed(lang),
        Some(EmergencyLimit) => emergency_limit(lang),
        Some(ReviewRefused) => review_refused(lang),
        Some(TenantFrozen) => tenant_frozen(lang),
        Some(FreezeStillEnding) => freeze_still_ending(lang),
        Some(RequestChanged) => request_changed(lang),
        Some(AlreadyApproved) => already_approved(lang),
        Some(ExtensionLimit) => extension_limit(lang),
        Some(ExtensionOpen) => extension_open(lang),
        Some(ExtendedGrantOver) => extended_grant_over(lang),
        Some(OperationNotAsked) => operation_not_asked(lang),
        Some(NothingAllowed) => nothing_allowed(lang),
        Some(OperationNotGranted) => operation_not_granted(lang),
        Some(NoLiveGrant) => no_live_grant(lang),
        Some(GrantNotLive) => grant_not_live(lang),
        Some(NotCovered) => not_covered(lang),
        Some(BatchReused | IdempotencyKeyReused) => reused(lang),
        Some(ServiceUnreachable) => unreachable(lang),
        Some(TenantMoving) => tenant_moving(lang),
        Some(TooManyRequests) => too_many(lang),
        Some(Misconfigured | Internal) | None => internal(lang),
        Some(InternalAfterChange) => internal_after_change(lang),
    }
    .to_owned()
}

/// Messages whose Italian is rightly the same as the English.
pub const SAME_IN_EVERY_LANGUAGE: &[&str] = &[];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_italian_sentence_is_written_not_copied() {
        for ((name, en), (_, it)) in every(Lang::En).iter().zip(&every(Lang::It)) {
            if SAME_IN_EVERY_LANGUAGE.contains(name) {
                continue;
            }
            assert_ne!(en, it, "{name}: the Italian is the English");
        }
    }

    #[test]
    fn every_problem_type_has_a_sentence_of_its_own_kind() {
        for kind in ProblemType::ALL.iter().copied() {
            let it = sentence(Lang::It, Some(kind), None);
            assert!(!it.is_empty(), "{kind}");
            assert_ne!(it, sentence(Lang::En, Some(kind), None), "{kind}");
            assert_eq!(
                ProblemType::of_uri(&format!("/problems/{kind}")),
                Some(kind)
            );
        }
        assert!(
            sentence(Lang::It, Some(ProblemType::InvalidRequest), Some("ticket"))
                .contains(&MAX_TICKET_CHARS.to_string())
        );
    }
}
