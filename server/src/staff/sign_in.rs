//! Sign-in (password, then the second factor), the account page's posts, sign-out.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) async fn forget_pending(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.remove::<String>(SESSION_PENDING).await?;
    session.remove::<i64>(SESSION_PENDING_AT).await?;
    session.remove::<i64>(SESSION_PENDING_TRIES).await?;
    Ok(())
}

/// Makes this session a signed-in one: a new id (no session fixation), a new CSRF token, the
/// sign-in time, whether a second factor was given; members who must enrol get their secret.
pub(super) async fn start_session(
    state: &AppState,
    session: &Session,
    staff: &auth::Staff,
    mfa: bool,
) -> Result<&'static str, tower_sessions::session::Error> {
    session.cycle_id().await?;
    forget_pending(session).await?;
    // A search of whoever was signed in before on this browser is not carried over.
    session.remove::<String>(SESSION_SEARCH_PHONE).await?;
    session.remove::<String>(SESSION_SEARCH_WORDS).await?;
    session.insert(SESSION_STAFF, &staff.id).await?;
    session.insert(SESSION_LOGIN_AT, state.clock.ts()).await?;
    session.insert(SESSION_CSRF, backend::crypto::random_hex()).await?;
    session.insert(SESSION_MFA, mfa).await?;
    if signin::totp_required(staff.role) && !mfa {
        session.insert(SESSION_ENROL_SECRET, signin::new_secret()).await?;
        return Ok("/staff/account/totp");
    }
    Ok("/staff")
}

pub async fn login(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let username = pairs_get(&form, "username");
    match auth::login(&state, &ip, &username, &pairs_get(&form, "password")).await {
        Ok(ok) => {
            let result = if ok.needs_code {
                // The password was right; the code comes next, on this session only.
                async {
                    session.cycle_id().await?;
                    session.insert(SESSION_CSRF, backend::crypto::random_hex()).await?;
                    session.insert(SESSION_PENDING, &ok.staff.id).await?;
                    session.insert(SESSION_PENDING_AT, state.clock.ts()).await?;
                    session.insert(SESSION_PENDING_TRIES, 0_i64).await?;
                    Ok::<_, tower_sessions::session::Error>("/staff/login/code")
                }
                .await
            } else {
                start_session(&state, &session, &ok.staff, false).await
            };
            match result {
                Ok(to) => Redirect::to(to).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "could not start the staff session");
                    message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError)
                }
            }
        }
        Err(SigninError::Throttled { retry_after }) => throttled(lang, retry_after),
        Err(SigninError::Failed | SigninError::CodesLocked) => {
            let errors = vec![domain::FieldError::new(domain::FieldName::Password, Msg::ErrLoginFailed)];
            let f =
                Flash { form: "login".into(), errors, values: vec![("username".into(), username)], ..Flash::default() };
            flash_redirect(&state, &session, f, "/staff/login").await
        }
        Err(SigninError::Backend(e)) => PageError::staff(lang, &e).into_response(),
    }
}

/// The second step: the code (or a recovery code) for the sign-in waiting in this session.
pub async fn login_code(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let pending = async {
        let id = session.get::<String>(SESSION_PENDING).await?;
        let at = session.get::<i64>(SESSION_PENDING_AT).await?.unwrap_or(0);
        let tries = session.get::<i64>(SESSION_PENDING_TRIES).await?.unwrap_or(0);
        Ok::<_, tower_sessions::session::Error>((id, at, tries))
    }
    .await;
    let (id, tries) = match pending {
        Ok((Some(id), at, tries))
            if state.clock.ts() - at <= signin::PENDING_SECONDS && tries < signin::PENDING_TRIES =>
        {
            (id, tries)
        }
        Ok(_) => {
            // None waiting, too old, or too many wrong codes: start again with the password.
            if let Err(e) = forget_pending(&session).await {
                tracing::error!(error = %e, "could not end the pending sign-in");
            }
            let f = Flash { form: "login".into(), problem: Some(Msg::ErrSigninExpired), ..Flash::default() };
            return flash_redirect(&state, &session, f, "/staff/login").await;
        }
        Err(e) => {
            tracing::error!(error = %e, "staff session failed");
            return message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError);
        }
    };
    match signin::verify_second_factor(&state, &ip, &id, &pairs_get(&form, "code")).await {
        Ok(staff) => match start_session(&state, &session, &staff, true).await {
            Ok(to) => Redirect::to(to).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "could not start the staff session");
                message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError)
            }
        },
        Err(SigninError::Throttled { retry_after }) => throttled(lang, retry_after),
        Err(e @ (SigninError::Failed | SigninError::CodesLocked)) => {
            if let Err(e) = session.insert(SESSION_PENDING_TRIES, tries + 1).await {
                tracing::error!(error = %e, "could not count the wrong code");
            }
            let msg = if matches!(e, SigninError::CodesLocked) { Msg::ErrCodesLocked } else { Msg::ErrCodeWrong };
            let errors = vec![domain::FieldError::new(domain::FieldName::Code, msg)];
            flash(&session, Flash { form: "code".into(), errors, ..Flash::default() }).await;
            Redirect::to("/staff/login/code").into_response()
        }
        Err(SigninError::Backend(e)) => PageError::staff(lang, &e).into_response(),
    }
}

/// The member's own account: password change and second factor (`what` after `/staff/account/`).
pub async fn account_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    session: Session,
    headers: HeaderMap,
    Path(what): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let staff = match checked(&ctx, &form, lang) {
        Ok(s) => s.clone(),
        Err(refused) => return refused,
    };
    let g = |k: &str| pairs_get(&form, k);
    let se = |e: tower_sessions::session::Error| BackendError::Internal(format!("session: {e}"));
    let recovery_flash = |codes: Vec<String>| Flash {
        form: "recovery".into(),
        values: codes.into_iter().map(|c| ("recovery_code".to_owned(), c)).collect(),
        ..Flash::default()
    };
    match what.as_str() {
        "password" => {
            let r = match signin::change_password(
                &state,
                &ip,
                &staff,
                &g("password"),
                &g("new_password"),
                &g("new_password2"),
            )
            .await
            {
                // This session goes on (a new id, signed in as of now); every other one ends.
                Ok(at) => async {
                    session.cycle_id().await?;
                    session.insert(SESSION_LOGIN_AT, at).await
                }
                .await
                .map_err(se)
                .map(|()| Some(Msg::PasswordChanged)),
                Err(e) => Err(e),
            };
            answer(&session, lang, "password", &form, "/staff/account", r).await
        }
        "totp/start" => {
            match signin::enrolled(&state, &staff.id).await {
                Ok(false) => {
                    if let Err(e) = session.insert(SESSION_ENROL_SECRET, signin::new_secret()).await {
                        return PageError::staff(lang, &se(e)).into_response();
                    }
                }
                Ok(true) => {}
                Err(e) => return PageError::staff(lang, &e).into_response(),
            }
            Redirect::to("/staff/account/totp").into_response()
        }
        "totp/confirm" => {
            let Some(secret) = ctx.enrol_secret.clone() else {
                return Redirect::to("/staff/account/totp").into_response();
            };
            match signin::confirm_enrolment(&state, &staff, &secret, &g("code")).await {
                // This session goes on (signed in with the code as of now); every other one ends.
                Ok((codes, at)) => {
                    let r = async {
                        session.remove::<String>(SESSION_ENROL_SECRET).await?;
                        session.insert(SESSION_LOGIN_AT, at).await?;
                        session.insert(SESSION_MFA, true).await
                    }
                    .await;
                    if let Err(e) = r {
                        return PageError::staff(lang, &se(e)).into_response();
                    }
                    flash(&session, recovery_flash(codes)).await;
                    Redirect::to("/staff/account/totp#recovery").into_response()
                }
                Err(e) => answer(&session, lang, "totp", &form, "/staff/account/totp", Err(e)).await,
            }
        }
        "totp/recovery" => match signin::regenerate_recovery_codes(&state, &staff, &g("code")).await {
            Ok(codes) => {
                flash(&session, recovery_flash(codes)).await;
                Redirect::to("/staff/account/totp#recovery").into_response()
            }
            Err(e) => answer(&session, lang, "totp-recovery", &form, "/staff/account/totp", Err(e)).await,
        },
        "totp/disable" => {
            let r = signin::disable(&state, &staff, &g("code")).await.map(|()| Some(Msg::Saved));
            answer(&session, lang, "totp-disable", &form, "/staff/account/totp", r).await
        }
        _ => message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound),
    }
}

pub async fn logout(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    if let Some(staff) = &ctx.staff {
        if let Err(e) = auth::logout(&state, staff).await {
            return PageError::staff(lang, &e).into_response();
        }
    }
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "could not end the session");
    }
    Redirect::to("/staff/login").into_response()
}
