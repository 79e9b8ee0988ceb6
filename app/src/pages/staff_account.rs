//! The sign-in's second step and the member's own account (issue 9 §4): the code page, the
//! password change, and the second factor (enrolment by QR code or typed key, recovery codes).
//! Plain forms posted to the server's `/staff/login/code` and `/staff/account/...` handlers,
//! answered with redirects back here, so all of it works with JavaScript off.

use super::staff::{csrf_input, generic_error, staff_bar, staff_page};
use crate::components::{fill, t, ErrorSummary, FieldMessage, Notice, PageTitle};
use crate::staff_api::StaffData;
use domain::staff::{Flash, StaffHeader};
use domain::{FieldName, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_meta::Meta;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeView {
    pub csrf: String,
    pub flash: Option<Flash>,
    /// A password-checked sign-in is waiting in this session.
    pub pending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpView {
    pub enrolled: bool,
    /// The role needs a second factor (it cannot be turned off).
    pub required: bool,
    /// Signed in, but nothing else is open before enrolment.
    pub must_enrol: bool,
    /// An enrolment in progress: the key for manual entry and its QR code (SVG).
    pub secret: Option<String>,
    pub qr_svg: String,
    pub recovery_left: i64,
}

#[server]
pub async fn staff_code_view() -> Result<CodeView, ServerFnError> {
    let c = crate::staff_api::ctx::staff_ctx().ok_or_else(|| ServerFnError::new("no staff context"))?;
    Ok(CodeView { csrf: c.csrf, flash: c.flash, pending: c.pending_code })
}

#[server]
pub async fn staff_totp_view() -> Result<StaffData<TotpView>, ServerFnError> {
    use crate::staff_api::ctx;
    let Some(c) = ctx::staff_ctx() else { return Ok(StaffData::SignedOut) };
    let secret = c.enrol_secret.clone();
    let must_enrol = c.must_enrol;
    ctx::with_staff(|state, staff| async move {
        let enrolled = backend::auth::signin::enrolled(&state, &staff.id).await?;
        let recovery_left = if enrolled { backend::auth::signin::recovery_left(&state, &staff.id).await? } else { 0 };
        let secret = secret.filter(|_| !enrolled);
        let qr_svg = secret
            .as_deref()
            .and_then(|s| qrcode::QrCode::new(backend::auth::signin::otpauth_uri(s, &staff.username).as_bytes()).ok())
            .map(|c| c.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
            .unwrap_or_default();
        Ok(TotpView {
            enrolled,
            required: backend::auth::signin::totp_required(staff.role),
            must_enrol,
            secret,
            qr_svg,
            recovery_left,
        })
    })
    .await
}

#[server]
pub async fn staff_account_view() -> Result<StaffData<TotpView>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        let enrolled = backend::auth::signin::enrolled(&state, &staff.id).await?;
        let recovery_left = if enrolled { backend::auth::signin::recovery_left(&state, &staff.id).await? } else { 0 };
        Ok(TotpView {
            enrolled,
            required: backend::auth::signin::totp_required(staff.role),
            must_enrol: false,
            secret: None,
            qr_svg: String::new(),
            recovery_left,
        })
    })
    .await
}

fn title_for(flash: &Flash, form: &str, title: Msg) -> String {
    if flash.errors_for(form).is_empty() && flash.problem.is_none() {
        t(title).to_owned()
    } else {
        format!("{}: {}", t(Msg::ErrorSummaryTitle), t(title))
    }
}

fn field_err(f: &Flash, form: &str, field: FieldName) -> Option<Msg> {
    f.errors_for(form).iter().find(|e| e.field == field).map(|e| e.msg)
}

/// `/staff/login/code`: the code (or a recovery code) after the password.
#[component]
pub fn StaffLoginCode() -> impl IntoView {
    let data = staff_code_view().shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let data = data.clone();
                Suspend::new(async move {
                    let Ok(v) = data.await else { return generic_error() };
                    if !v.pending {
                        #[cfg(feature = "ssr")]
                        leptos_axum::redirect("/staff/login");
                    }
                    let flash = v.flash.unwrap_or_default();
                    let errors = flash.errors_for("code");
                    let err = field_err(&flash, "code", FieldName::Code);
                    view! {
                        <PageTitle text=title_for(&flash, "code", Msg::CodeTitle)/>
                        <Meta name="robots" content="noindex"/>
                        <h1>{t(Msg::CodeTitle)}</h1>
                        <p class="hint" id="code-hint">{t(Msg::CodeHint)}</p>
                        <ErrorSummary errors=errors/>
                        <form method="post" action="/staff/login/code" class="step-form" id="code-form">
                            {csrf_input(&v.csrf)}
                            <div class="field">
                                <label for="code" class="label">{t(Msg::CodeLabel)}</label>
                                <FieldMessage field=FieldName::Code msg=err/>
                                <input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code" autocapitalize="none"
                                    spellcheck="false" required aria-describedby="code-hint" aria-invalid=err.is_some().to_string()/>
                            </div>
                            <button type="submit" class="button" id="code-submit">{t(Msg::CodeSubmit)}</button>
                        </form>
                        <p><a href="/staff/login">{t(Msg::StaffLoginTitle)}</a></p>
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

fn recovery_list(flash: &Flash) -> Option<AnyView> {
    let codes: Vec<String> = if flash.form == "recovery" {
        flash.values.iter().filter(|(k, _)| k == "recovery_code").map(|(_, v)| v.clone()).collect()
    } else {
        Vec::new()
    };
    (!codes.is_empty()).then(|| {
        view! {
            <section id="recovery" class="recovery" aria-labelledby="recovery-title">
                <h2 id="recovery-title">{t(Msg::RecoveryTitle)}</h2>
                <p role="alert">{t(Msg::RecoveryShownOnce)}</p>
                <ol class="recovery-codes" id="recovery-codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ol>
                <p><a class="button" href="/staff" id="go-to-inbox">{t(Msg::GoToInbox)}</a></p>
            </section>
        }
        .into_any()
    })
}

fn totp_view(h: &StaffHeader, flash: Flash, v: TotpView) -> impl IntoView {
    let recovery = recovery_list(&flash);
    let err = field_err(&flash, "totp", FieldName::Code);
    let disable_err = field_err(&flash, "totp-disable", FieldName::Code);
    let regen_err = field_err(&flash, "totp-recovery", FieldName::Code);
    let mut errors = flash.errors_for("totp");
    errors.extend(flash.errors_for("totp-disable"));
    // The regeneration form's code field has its own id (the disable form's is `code`).
    let regen_extra: Vec<(String, String)> =
        flash.errors_for("totp-recovery").iter().map(|e| ("regen-code".to_owned(), t(e.msg).to_owned())).collect();
    let csrf = h.csrf.clone();
    let body = if v.enrolled {
        view! {
            <p class="notice" role="status" id="totp-status">{t(Msg::TotpIsOn)}</p>
            {recovery}
            <p id="recovery-left">{fill(t(Msg::RecoveryLeft), &[("n", v.recovery_left.to_string())])}</p>
            <form method="post" action="/staff/account/totp/recovery" class="step-form" id="totp-recovery">
                {csrf_input(&csrf)}
                <div class="field">
                    <label for="regen-code" class="label">{t(Msg::AuthenticatorCodeLabel)}</label>
                    <FieldMessage field=FieldName::Code msg=regen_err/>
                    <input id="regen-code" name="code" type="text" autocomplete="one-time-code" required inputmode="numeric"
                        aria-invalid=regen_err.is_some().to_string() aria-describedby=regen_err.map(|_| "code-error")/>
                </div>
                <button type="submit" class="button button-secondary" id="recovery-regenerate">{t(Msg::RecoveryRegenerate)}</button>
            </form>
            {(!v.required).then(|| view! {
                <form method="post" action="/staff/account/totp/disable" class="step-form" id="totp-disable">
                    {csrf_input(&csrf)}
                    <div class="field">
                        <label for="code" class="label">{t(Msg::AuthenticatorCodeLabel)}</label>
                        <FieldMessage field=FieldName::Code msg=disable_err/>
                        <input id="code" name="code" type="text" autocomplete="one-time-code" required inputmode="numeric"
                            aria-invalid=disable_err.is_some().to_string()/>
                    </div>
                    <button type="submit" class="button button-secondary">{t(Msg::TotpDisable)}</button>
                </form>
            })}
        }
        .into_any()
    } else if let Some(secret) = v.secret.clone() {
        view! {
            <p id="totp-scan-hint">{t(Msg::TotpScanHint)}</p>
            <figure class="qr" id="totp-qr">
                <div inner_html=v.qr_svg.clone()></div>
            </figure>
            <p>{t(Msg::TotpSecretLabel)}": "<code id="totp-secret" data-secret=secret.clone()>{secret.clone()}</code></p>
            <form method="post" action="/staff/account/totp/confirm" class="step-form" id="totp-confirm">
                {csrf_input(&csrf)}
                <div class="field">
                    <label for="code" class="label">{t(Msg::AuthenticatorCodeLabel)}</label>
                    <FieldMessage field=FieldName::Code msg=err/>
                    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required
                        aria-describedby="totp-scan-hint" aria-invalid=err.is_some().to_string()/>
                </div>
                <button type="submit" class="button" id="totp-confirm-submit">{t(Msg::TotpConfirm)}</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p id="totp-status">{t(Msg::TotpIsOff)}</p>
            <form method="post" action="/staff/account/totp/start" class="inline">
                {csrf_input(&csrf)}
                <button type="submit" class="button" id="totp-start">{t(Msg::TotpStart)}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <PageTitle text=title_for(&flash, "totp", Msg::TotpTitle)/>
        {staff_bar(h)}
        {(!v.must_enrol).then(|| view! { <p><a class="back" href="/staff/account">{t(Msg::AccountTitle)}</a></p> })}
        <h1>{t(Msg::TotpTitle)}</h1>
        {v.required.then(|| view! { <p class="hint">{t(Msg::TotpRequiredHint)}</p> })}
        <ErrorSummary errors=errors extra=regen_extra/>
        <Notice msg=flash.notice/>
        {body}
    }
}

/// `/staff/account/totp`: set up, or manage, the second factor.
#[component]
pub fn StaffTotp() -> impl IntoView {
    staff_page(staff_totp_view(), |header, flash, data| totp_view(&header, flash, data))
}

fn account_view(h: &StaffHeader, flash: Flash, v: TotpView) -> impl IntoView {
    let errors = flash.errors_for("password");
    let cur = field_err(&flash, "password", FieldName::Password);
    let new = field_err(&flash, "password", FieldName::NewPassword);
    view! {
        <PageTitle text=title_for(&flash, "password", Msg::AccountTitle)/>
        {staff_bar(h)}
        <h1>{t(Msg::AccountTitle)}</h1>
        <ErrorSummary errors=errors/>
        <Notice msg=flash.notice/>
        <section id="password" aria-labelledby="password-title">
            <h2 id="password-title">{t(Msg::PasswordChangeTitle)}</h2>
            <form method="post" action="/staff/account/password" class="step-form" id="password-form">
                {csrf_input(&h.csrf)}
                <input type="text" name="username" autocomplete="username" value=h.username.clone() hidden/>
                <div class="field">
                    <label for="password" class="label">{t(Msg::CurrentPasswordLabel)}</label>
                    <FieldMessage field=FieldName::Password msg=cur/>
                    <input id="password" name="password" type="password" autocomplete="current-password" required aria-invalid=cur.is_some().to_string()/>
                </div>
                <div class="field">
                    <label for="new_password" class="label">{t(Msg::OwnNewPasswordLabel)}</label>
                    <FieldMessage field=FieldName::NewPassword msg=new/>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="12" required
                        aria-invalid=new.is_some().to_string()/>
                </div>
                <div class="field">
                    <label for="new_password2" class="label">{t(Msg::NewPasswordAgainLabel)}</label>
                    <input id="new_password2" name="new_password2" type="password" autocomplete="new-password" minlength="12" required/>
                </div>
                <button type="submit" class="button" id="password-submit">{t(Msg::PasswordChangeSubmit)}</button>
            </form>
        </section>
        <section id="totp" aria-labelledby="totp-title">
            <h2 id="totp-title">{t(Msg::TotpTitle)}</h2>
            <p id="totp-status">{t(if v.enrolled { Msg::TotpIsOn } else { Msg::TotpIsOff })}</p>
            {v.enrolled.then(|| view! { <p>{fill(t(Msg::RecoveryLeft), &[("n", v.recovery_left.to_string())])}</p> })}
            <p><a href="/staff/account/totp" id="totp-link">{t(Msg::TotpTitle)}</a></p>
        </section>
    }
}

/// `/staff/account`: change the password; the second factor's state.
#[component]
pub fn StaffAccount() -> impl IntoView {
    staff_page(staff_account_view(), |header, flash, data| account_view(&header, flash, data))
}
