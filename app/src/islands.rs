//! The only parts of the UI that run in the browser. Each one renders the same useful HTML on
//! the server (so the page works with JavaScript off) and, once hydrated, adds one thing:
//! inline validation, a draft kept on the device, geolocation, or copying the receipt.
//!
//! Only the description and the exact-place note are kept on the device, and only in the tab's
//! session storage: they survive a reload or a dropped connection, and are gone when the tab is
//! closed, even for a draft never sent (shared phones are common). Names and phone numbers are
//! never written to browser storage.
//!
//! Receipts (ticket, key, category, date) are the one exception kept in local storage (issue 14:
//! "my receipts on this device"): the resident asked to find them again days later. The pages
//! say they stay on this device only and that anyone using it can open them, and offer to clear
//! them in one tap.

use domain::fields::{Description, PersonName, Phone};
use domain::{Lang, Msg};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

fn storage_key(token: &str, field: &str) -> String {
    format!("pingan:{token}:{field}")
}

#[cfg(feature = "hydrate")]
fn device_get(key: &str) -> Option<String> {
    use gloo_storage::Storage;
    gloo_storage::SessionStorage::get::<String>(key).ok()
}
#[cfg(feature = "hydrate")]
fn device_set(key: &str, value: &str) {
    use gloo_storage::Storage;
    let _ = gloo_storage::SessionStorage::set(key, value);
}

/// A text field kept on the device as it is typed, restored if the server has nothing (for
/// example after the connection dropped before the step was sent).
fn keep_on_device(token: &str, field: &str, text: ReadSignal<String>, set_text: WriteSignal<String>) {
    let key = storage_key(token, field);
    #[cfg(feature = "hydrate")]
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            if text.get_untracked().trim().is_empty() {
                if let Some(v) = device_get(&key).filter(|v| !v.trim().is_empty()) {
                    set_text.set(v);
                }
            } else {
                // Words typed before hydration (put back by `restore_typed`) are kept too, not
                // only those typed after it.
                device_set(&key, &text.get_untracked());
            }
        } else {
            device_set(&key, &text.get());
        }
        let _ = text.get();
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, text, set_text);
}

/// Puts back what the resident typed into field `id` before this island hydrated. The page works
/// before the bundle arrives (islands hydrate after the first paint, issue 14), and hydration
/// writes the signal (the server's value) into the field: read the field first, and once the
/// island is live set the signal to the typed words, so the field and everything that follows
/// the signal (the character counter) show them. Call before `keep_on_device`, so typed words
/// win over a copy kept on the device.
fn restore_typed(id: &str, server: &str, set_text: WriteSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let typed = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)).and_then(|el| {
            match el.dyn_into::<web_sys::HtmlTextAreaElement>() {
                Ok(area) => Some(area.value()),
                Err(el) => el.dyn_into::<web_sys::HtmlInputElement>().ok().map(|input| input.value()),
            }
        });
        if let Some(v) = typed.filter(|v| v != server) {
            Effect::new(move |_| set_text.set(v.clone()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, server, set_text);
}

/// Whether focus leaves a field for a submit button. Then the field is not checked on blur: the
/// message would appear above the button between press and release, move it, and swallow the
/// tap; the server checks the step anyway and answers with the error summary.
fn leaving_to_submit(ev: &leptos::ev::FocusEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.related_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
            el.tag_name().eq_ignore_ascii_case("button") && el.get_attribute("type").as_deref() != Some("button")
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

/// The words the description field shows, rendered on the server in the reader's language: the
/// islands never call `Msg::text`, so the browser bundle does not carry every message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescriptionTexts {
    pub label: String,
    pub hint: String,
    /// "已写 {n} / {max} 字"
    pub counter: String,
    pub empty: String,
    pub short: String,
    pub long: String,
}

impl DescriptionTexts {
    #[must_use]
    pub fn new(lang: Lang) -> Self {
        Self {
            label: Msg::DescriptionLabel.text(lang).into(),
            hint: Msg::StepWhatHint.text(lang).into(),
            counter: Msg::CharsCount.text(lang).into(),
            empty: Msg::ErrDescriptionEmpty.text(lang).into(),
            short: Msg::ErrDescriptionShort.text(lang).into(),
            long: Msg::ErrDescriptionLong.text(lang).into(),
        }
    }
}

/// "What happened": a counted textarea that checks itself when the resident leaves it.
#[island]
pub fn DescriptionField(token: String, value: String, error: Option<String>, texts: DescriptionTexts) -> impl IntoView {
    let (text, set_text) = signal(value.clone());
    let (err, set_err) = signal(error);
    restore_typed("description", &value, set_text);
    keep_on_device(&token, "description", text, set_text);
    let count = move || text.with(|t| t.trim().chars().count());
    let t = texts.clone();
    let check = move || {
        set_err.set(Description::parse(&text.get_untracked()).err().map(|e| match e.msg {
            Msg::ErrDescriptionEmpty => t.empty.clone(),
            Msg::ErrDescriptionShort => t.short.clone(),
            _ => t.long.clone(),
        }));
    };
    let counter = texts.counter.clone();
    view! {
        <label for="description" class="label">{texts.label.clone()}</label>
        <p class="hint" id="description-hint">{texts.hint.clone()}</p>
        {move || err.get().map(|m| view! { <p class="field-error" id="description-error">{m}</p> })}
        <crate::components::TextArea value=value.clone() {..} id="description" name="description" rows="8" maxlength=domain::fields::TEXT_INPUT_MAXLENGTH required=true
            aria-invalid=move || if err.get().is_some() { "true" } else { "false" }
            aria-describedby=move || if err.get().is_some() { "description-hint description-error" } else { "description-hint description-count" }
            prop:value=move || text.get()
            on:input={
                let check = check.clone();
                move |ev| {
                    set_text.set(event_target_value(&ev));
                    if err.get_untracked().is_some() { check(); }
                }
            }
            on:blur=move |ev| if !leaving_to_submit(&ev) { check() }
        />
        <p class="char-count" id="description-count">
            {move || counter.replace("{n}", &count().to_string()).replace("{max}", &domain::fields::TEXT_MAX.to_string())}
        </p>
    }
}

/// The optional exact-place note, kept on the device like the description.
#[island]
pub fn AddressNoteField(
    token: String,
    value: String,
    error: Option<String>,
    label: String,
    hint: String,
) -> impl IntoView {
    let (text, set_text) = signal(value.clone());
    restore_typed("address_note", &value, set_text);
    keep_on_device(&token, "address_note", text, set_text);
    view! {
        <label for="address_note" class="label">{label}</label>
        <p class="hint" id="address_note-hint">{hint}</p>
        {error.map(|m| view! { <p class="field-error" id="address_note-error">{m}</p> })}
        <input id="address_note" name="address_note" type="text" maxlength="210" autocomplete="off"
            aria-describedby="address_note-hint" prop:value=move || text.get() value=value
            on:input=move |ev| set_text.set(event_target_value(&ev))/>
    }
}

/// The words of the name and phone fields (see [`DescriptionTexts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactTexts {
    pub name_label: String,
    pub phone_label: String,
    pub name_empty: String,
    pub name_long: String,
    pub name_invalid: String,
    pub phone_empty: String,
    pub phone_invalid: String,
}

impl ContactTexts {
    #[must_use]
    pub fn new(lang: Lang) -> Self {
        Self {
            name_label: Msg::NameLabel.text(lang).into(),
            phone_label: Msg::PhoneLabel.text(lang).into(),
            name_empty: Msg::ErrNameEmpty.text(lang).into(),
            name_long: Msg::ErrNameLong.text(lang).into(),
            name_invalid: Msg::ErrNameInvalid.text(lang).into(),
            phone_empty: Msg::ErrPhoneEmpty.text(lang).into(),
            phone_invalid: Msg::ErrPhoneInvalid.text(lang).into(),
        }
    }
}

/// Name and phone, checked as the resident leaves each field.
#[island]
pub fn ContactFields(
    name: String,
    phone: String,
    name_error: Option<String>,
    phone_error: Option<String>,
    texts: ContactTexts,
) -> impl IntoView {
    let (name_err, set_name_err) = signal(name_error);
    let (phone_err, set_phone_err) = signal(phone_error);
    let invalid = |s: ReadSignal<Option<String>>| move || if s.get().is_some() { "true" } else { "false" };
    let t = texts.clone();
    let name_msg = move |m: Msg| match m {
        Msg::ErrNameEmpty => t.name_empty.clone(),
        Msg::ErrNameLong => t.name_long.clone(),
        _ => t.name_invalid.clone(),
    };
    let t = texts.clone();
    let phone_msg = move |m: Msg| if m == Msg::ErrPhoneEmpty { t.phone_empty.clone() } else { t.phone_invalid.clone() };
    view! {
        <div class="field">
            <label for="name" class="label">{texts.name_label.clone()}</label>
            {move || name_err.get().map(|m| view! { <p class="field-error" id="name-error">{m}</p> })}
            <input id="name" name="name" type="text" autocomplete="name" maxlength="40" value=name
                aria-invalid=invalid(name_err) aria-describedby="name-error"
                on:blur=move |ev| if !leaving_to_submit(&ev) {
                    set_name_err.set(PersonName::parse(&event_target_value(&ev)).err().map(|e| name_msg(e.msg)));
                }/>
        </div>
        <div class="field">
            <label for="phone" class="label">{texts.phone_label.clone()}</label>
            {move || phone_err.get().map(|m| view! { <p class="field-error" id="phone-error">{m}</p> })}
            <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" value=phone
                aria-invalid=invalid(phone_err) aria-describedby="phone-error"
                on:blur=move |ev| if !leaving_to_submit(&ev) {
                    set_phone_err.set(Phone::parse(&event_target_value(&ev)).err().map(|e| phone_msg(e.msg)));
                }/>
        </div>
    }
}

/// The words of the locate button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocateTexts {
    pub button: String,
    pub locating: String,
    pub found: String,
    pub failed: String,
}

impl LocateTexts {
    #[must_use]
    pub fn new(lang: Lang) -> Self {
        Self {
            button: Msg::UseMyLocation.text(lang).into(),
            locating: Msg::LocatingNow.text(lang).into(),
            found: Msg::LocationFound.text(lang).into(),
            failed: Msg::LocationFailed.text(lang).into(),
        }
    }
}

/// "Use my location": hidden until hydrated (it needs JavaScript); fills the form's lat/lng.
#[island]
pub fn LocateButton(lat: String, lng: String, texts: LocateTexts) -> impl IntoView {
    let (lat, set_lat) = signal(lat);
    let (lng, set_lng) = signal(lng);
    let (ready, set_ready) = signal(false);
    let (status, set_status) = signal(None::<String>);
    Effect::new(move |_| set_ready.set(true));
    let t = texts.clone();
    let locate = move |_| {
        set_status.set(Some(t.locating.clone()));
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::{closure::Closure, JsCast};
            let (found, failed) = (t.found.clone(), t.failed.clone());
            let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
                set_status.set(Some(failed));
                return;
            };
            let ok = Closure::once_into_js(move |pos: web_sys::Position| {
                let c = pos.coords();
                set_lat.set(format!("{:.6}", c.latitude()));
                set_lng.set(format!("{:.6}", c.longitude()));
                set_status.set(Some(found));
            });
            let failed2 = failed.clone();
            let fail = Closure::once_into_js(move |_e: web_sys::PositionError| set_status.set(Some(failed2)));
            if geo.get_current_position_with_error_callback(ok.unchecked_ref(), Some(fail.unchecked_ref())).is_err() {
                set_status.set(Some(failed));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (set_lat, set_lng);
    };
    view! {
        <input type="hidden" name="lat" prop:value=move || lat.get() value=lat.get_untracked()/>
        <input type="hidden" name="lng" prop:value=move || lng.get() value=lng.get_untracked()/>
        <div class="locate" hidden=move || !ready.get()>
            <button type="button" class="button button-secondary" on:click=locate>{texts.button.clone()}</button>
            <p class="status" role="status" aria-live="polite">{move || status.get()}</p>
        </div>
    }
}

/// The where-step map of a street (issue 14), once hydrated: a tap (or click) on the drawing
/// becomes the exact point, by the inverse of the server's projection (`proj`, the numbers the
/// server drew with), written into the form's `lat`/`lng` fields as the location button does,
/// and shown by moving the map's pin. The server checks and routes it like any other point.
/// Without JavaScript, or when a cell link is followed from the keyboard (no pointer position),
/// the cell links work as drawn.
#[island]
pub fn MapPick(proj: domain::cellmap::Projection, set: String, children: Children) -> impl IntoView {
    let frame = NodeRef::<leptos::html::Div>::new();
    let (status, set_status) = signal(None::<String>);
    let tap = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            // A keyboard "click" has no position (`detail` 0): let the link do its work.
            if ev.detail() == 0 {
                return;
            }
            let Some(svg) = frame.get().and_then(|f| f.query_selector("svg").ok().flatten()) else { return };
            let r = svg.get_bounding_client_rect();
            let (w, h) = (f64::from(proj.width), f64::from(proj.height));
            // The viewBox is fitted into the element keeping its aspect ("meet"), centred.
            let s = (r.width() / w).min(r.height() / h);
            if !(s.is_finite() && s > 0.0) {
                return;
            }
            let x = (f64::from(ev.client_x()) - r.x() - (r.width() - w * s) / 2.0) / s;
            let y = (f64::from(ev.client_y()) - r.y() - (r.height() - h * s) / 2.0) / s;
            let Some([lng, lat]) = proj.unproject(x, y) else { return };
            ev.prevent_default();
            let doc = svg.owner_document();
            for (name, v) in [("lat", lat), ("lng", lng)] {
                let input = doc
                    .as_ref()
                    .and_then(|d| d.query_selector(&format!("input[name={name}]")).ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
                if let Some(input) = input {
                    input.set_value(&format!("{v:.6}"));
                }
            }
            if let Ok(Some(pin)) = svg.query_selector("#map-pin") {
                let _ = pin.set_attribute("cx", &format!("{x:.1}"));
                let _ = pin.set_attribute("cy", &format!("{y:.1}"));
                let _ = pin.remove_attribute("visibility");
            }
            set_status.set(Some(set.clone()));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, &proj, &set, set_status, frame);
    };
    view! {
        <div class="map-pick" node_ref=frame on:click=tap>{children()}</div>
        <p class="status" id="map-status" role="status" aria-live="polite">{move || status.get()}</p>
    }
}

/// Copies the ticket and key; forgets the device-kept draft of this (now submitted) appeal.
#[island]
pub fn CopyReceipt(text: String, token: String, button: String, copied_text: String) -> impl IntoView {
    let (ready, set_ready) = signal(false);
    let (copied, set_copied) = signal(false);
    Effect::new(move |_| {
        set_ready.set(true);
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            for f in ["description", "address_note"] {
                gloo_storage::SessionStorage::delete(storage_key(&token, f));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &token;
    });
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            set_copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&text, set_copied);
    };
    view! {
        <div class="copy" hidden=move || !ready.get()>
            <button type="button" class="button button-secondary" on:click=copy>{button}</button>
            <span role="status" aria-live="polite">{move || copied.get().then(|| copied_text.clone())}</span>
        </div>
    }
}

/// Opens the track page from the receipt's link or QR code. Ticket and key come in the URL
/// fragment (`/track#t=…&k=…`), which browsers never send to a server; once hydrated, this
/// takes them out of the address bar and history (`history.replaceState`, so neither a reload
/// nor the back button brings them back) and posts them with its own hidden form, as the lookup
/// form would. With JavaScript off it does nothing and the resident types the two codes.
#[island]
pub fn TrackFromLink() -> impl IntoView {
    let form = NodeRef::<leptos::html::Form>::new();
    let ticket = NodeRef::<leptos::html::Input>::new();
    let key = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let (Some(form), Some(ticket), Some(key)) = (form.get(), ticket.get(), key.get()) else { return };
        let Some(w) = web_sys::window() else { return };
        let loc = w.location();
        let hash = loc.hash().unwrap_or_default();
        let Some(fragment) = hash.strip_prefix('#') else { return };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(fragment) else { return };
        let (Some(t), Some(k)) = (params.get("t"), params.get("k")) else { return };
        // Out of the address bar first, whatever happens next.
        let clean = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
        if t.trim().is_empty() || k.trim().is_empty() {
            return;
        }
        ticket.set_value(&t);
        key.set_value(&k);
        let _ = form.submit();
    });
    view! {
        <form node_ref=form method="post" action="/form/track" id="track-from-link" hidden=true>
            <input node_ref=ticket type="hidden" name="ticket"/>
            <input node_ref=key type="hidden" name="key"/>
        </form>
    }
}

/// One receipt kept on this device (issue 14): what `/track` needs to look the appeal up again
/// without retyping, and what the resident needs to tell receipts apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptReceipt {
    /// Display form `PA-XXXX-XXXX`.
    pub ticket: String,
    /// The access key, display form. A secret: it only ever leaves the device in the body of
    /// the lookup form's POST, never in a URL.
    pub key: String,
    /// The category's name in the language the receipt was read in.
    pub category: String,
    /// The day of submission, `YYYY-MM-DD` in the city's time.
    pub date: String,
}

/// The one local-storage entry holding the kept receipts (a JSON list, newest first).
#[cfg(feature = "hydrate")]
const RECEIPTS_KEY: &str = "pingan:receipts";

/// How many receipts a device keeps; the oldest beyond this are dropped.
pub const RECEIPTS_MAX: usize = 10;

/// The list after keeping `receipt`: it goes first, any older copy of the same ticket goes (a
/// receipt page opened twice is kept once), and the list is cut at [`RECEIPTS_MAX`].
#[must_use]
pub fn remember_receipt(list: Vec<KeptReceipt>, receipt: KeptReceipt) -> Vec<KeptReceipt> {
    let mut out: Vec<KeptReceipt> = list.into_iter().filter(|r| r.ticket != receipt.ticket).collect();
    out.insert(0, receipt);
    out.truncate(RECEIPTS_MAX);
    out
}

/// Unlike the draft (session storage, gone with the tab), receipts live in local storage: the
/// issue's ask is to find them again days later. Unreadable content counts as nothing kept.
#[cfg(feature = "hydrate")]
fn kept_receipts() -> Vec<KeptReceipt> {
    use gloo_storage::Storage;
    gloo_storage::LocalStorage::get(RECEIPTS_KEY).unwrap_or_default()
}

#[cfg(feature = "hydrate")]
fn forget_receipts() {
    use gloo_storage::Storage;
    gloo_storage::LocalStorage::delete(RECEIPTS_KEY);
}

/// The words of the kept-receipt notices, rendered on the server (see [`DescriptionTexts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptTexts {
    pub title: String,
    pub notice: String,
    pub clear: String,
    pub cleared: String,
}

impl KeptTexts {
    /// `on_receipt`: the receipt page's notice speaks of this one receipt.
    #[must_use]
    pub fn new(lang: Lang, on_receipt: bool) -> Self {
        Self {
            title: Msg::KeptReceiptsTitle.text(lang).into(),
            notice: if on_receipt { Msg::KeptReceiptNotice } else { Msg::KeptReceiptsNotice }.text(lang).into(),
            clear: Msg::KeptReceiptsClear.text(lang).into(),
            cleared: Msg::KeptReceiptsCleared.text(lang).into(),
        }
    }
}

/// On the receipt page: keeps this receipt on the device, says so (and who can open it), and
/// offers to clear every kept receipt. Hidden, and nothing kept, without JavaScript.
#[island]
pub fn KeepReceipt(receipt: KeptReceipt, texts: KeptTexts) -> impl IntoView {
    let (ready, set_ready) = signal(false);
    let (cleared, set_cleared) = signal(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            let list = remember_receipt(kept_receipts(), receipt.clone());
            let _ = gloo_storage::LocalStorage::set(RECEIPTS_KEY, list);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &receipt;
        set_ready.set(true);
    });
    let clear = move |_| {
        #[cfg(feature = "hydrate")]
        forget_receipts();
        set_cleared.set(true);
    };
    let KeptTexts { notice, clear: clear_text, cleared: cleared_text, .. } = texts;
    view! {
        <div class="kept" id="kept-receipt" hidden=move || !ready.get()>
            <p class="hint">{notice}</p>
            <button type="button" class="button button-secondary" on:click=clear>{clear_text}</button>
            <span role="status" aria-live="polite">{move || cleared.get().then(|| cleared_text.clone())}</span>
        </div>
    }
}

/// On `/track`'s lookup form: the receipts kept on this device, each a button that fills the
/// form's ticket and key and posts it (the key stays out of URLs), and a button clearing them.
/// The server renders nothing here: without JavaScript (or with nothing kept) it is absent.
#[island]
pub fn KeptReceipts(texts: KeptTexts) -> impl IntoView {
    let (list, set_list) = signal(Vec::<KeptReceipt>::new());
    let (cleared, set_cleared) = signal(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| set_list.set(kept_receipts()));
    let open = move |r: &KeptReceipt| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
            let input =
                |id: &str| doc.get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
            let form = doc.get_element_by_id("track-form").and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok());
            if let (Some(ticket), Some(key), Some(form)) = (input("ticket"), input("key"), form) {
                ticket.set_value(&r.ticket);
                key.set_value(&r.key);
                let _ = form.submit();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = r;
    };
    let clear = move |_| {
        #[cfg(feature = "hydrate")]
        forget_receipts();
        set_list.set(Vec::new());
        set_cleared.set(true);
    };
    let cleared_text = texts.cleared.clone();
    view! {
        {move || {
            let texts = texts.clone();
            (!list.with(Vec::is_empty)).then(move || view! {
                <section class="kept-receipts" id="kept-receipts" aria-labelledby="kept-title">
                    <h2 id="kept-title">{texts.title}</h2>
                    <p class="hint">{texts.notice}</p>
                    <ul class="kept-list">
                        {list.get().into_iter().map(|r| {
                            let label = (r.ticket.clone(), r.category.clone(), r.date.clone());
                            view! {
                                <li><button type="button" class="button button-secondary kept-receipt" on:click=move |_| open(&r)>
                                    <span class="code">{label.0}</span>" "{label.1}" "<time>{label.2}</time>
                                </button></li>
                            }
                        }).collect_view()}
                    </ul>
                    <button type="button" class="button button-secondary" id="kept-clear" on:click=clear>{texts.clear}</button>
                </section>
            })
        }}
        {move || cleared.get().then(|| view! { <p class="notice" role="status">{cleared_text.clone()}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(ticket: &str) -> KeptReceipt {
        KeptReceipt {
            ticket: ticket.into(),
            key: format!("key-{ticket}"),
            category: "c".into(),
            date: "2026-12-02".into(),
        }
    }

    fn tickets(list: &[KeptReceipt]) -> Vec<&str> {
        list.iter().map(|r| r.ticket.as_str()).collect()
    }

    #[test]
    fn receipts_are_kept_newest_first_once_each_at_most_ten() {
        let list = remember_receipt(Vec::new(), receipt("A"));
        let list = remember_receipt(list, receipt("B"));
        assert_eq!(tickets(&list), ["B", "A"]);
        // The receipt page of A opened again: A moves to the front, still once.
        let list = remember_receipt(list, receipt("A"));
        assert_eq!(tickets(&list), ["A", "B"]);
        let mut list = list;
        for t in ["C", "D", "E", "F", "G", "H", "I", "J", "K"] {
            list = remember_receipt(list, receipt(t));
        }
        assert_eq!(tickets(&list), ["K", "J", "I", "H", "G", "F", "E", "D", "C", "A"], "B, the oldest, is dropped");
        assert_eq!(list[9].key, "key-A");
    }
}

/// Elder mode's "read aloud" button (issue 14): reads the page's main content with the
/// browser's speech synthesis, in the page's language; a second tap stops. Hidden until
/// hydrated and where the browser has no speech synthesis, so it never shows a dead button;
/// without JavaScript there is nothing.
#[island]
pub fn ReadAloud(read: String, stop: String, lang: String) -> impl IntoView {
    let (ready, set_ready) = signal(false);
    let (speaking, set_speaking) = signal(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if web_sys::window().and_then(|w| w.speech_synthesis().ok()).is_some() {
            set_ready.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = set_ready;
    });
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(w) = web_sys::window() else { return };
            let Ok(synth) = w.speech_synthesis() else { return };
            if speaking.get_untracked() {
                synth.cancel();
                set_speaking.set(false);
                return;
            }
            let text = w
                .document()
                .and_then(|d| d.get_element_by_id("main"))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                .map(|e| e.inner_text())
                .unwrap_or_default();
            let Ok(u) = web_sys::SpeechSynthesisUtterance::new_with_text(&text) else { return };
            u.set_lang(&lang);
            let done = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || set_speaking.set(false));
            u.set_onend(Some(done.as_ref().unchecked_ref()));
            done.forget();
            synth.cancel();
            synth.speak(&u);
            set_speaking.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&lang, set_speaking);
    };
    view! {
        <div class="read-aloud" hidden=move || !ready.get()>
            <button type="button" class="button button-secondary" aria-pressed=move || speaking.get().to_string() on:click=toggle>
                {move || if speaking.get() { stop.clone() } else { read.clone() }}
            </button>
        </div>
    }
}
