//! The admin posts (one route each) and the region import.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The admin posts, one route each (`startup::build_router` names them). Each use case checks
/// the admin permission itself (`audit::Who::require_admin`); the handler only checks CSRF and
/// that someone is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminPost {
    CreateStaff,
    SetActive,
    ResetPassword,
    SetHoliday,
    DeleteHoliday,
    EditArticle,
    VerifyAudit,
    SaveTemplate,
    DeleteTemplate,
    /// One category's list of department kinds that may be summoned (issue 13).
    SaveSummonRules,
    /// The extra questions per category (issue 13): add or edit one, delete one, move one.
    SaveQuestion,
    DeleteQuestion,
    MoveQuestion,
}

impl AdminPost {
    /// Every admin post and its path.
    pub const ROUTES: [(AdminPost, &'static str); 13] = [
        (Self::CreateStaff, "/staff/admin/staff/create"),
        (Self::SetActive, "/staff/admin/staff/active"),
        (Self::ResetPassword, "/staff/admin/staff/password"),
        (Self::SetHoliday, "/staff/admin/holidays/set"),
        (Self::DeleteHoliday, "/staff/admin/holidays/delete"),
        (Self::EditArticle, "/staff/admin/legal/edit"),
        (Self::VerifyAudit, "/staff/admin/audit/verify"),
        (Self::SaveTemplate, "/staff/admin/templates/save"),
        (Self::DeleteTemplate, "/staff/admin/templates/delete"),
        (Self::SaveSummonRules, "/staff/admin/summons/save"),
        (Self::SaveQuestion, "/staff/admin/questions/save"),
        (Self::DeleteQuestion, "/staff/admin/questions/delete"),
        (Self::MoveQuestion, "/staff/admin/questions/move"),
    ];

    /// The form's name in the flash: the path after `/staff/admin/`, `/` as `-`.
    fn form_name(self) -> String {
        Self::ROUTES
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, path)| path.trim_start_matches("/staff/admin/").replace('/', "-"))
            .unwrap_or_default()
    }
}

/// Every admin post (which one comes from its route).
pub async fn admin_post(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    Extension(what): Extension<AdminPost>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    if !csrf_ok(&ctx, &form) {
        return csrf_refused(lang);
    }
    let Some(staff) = ctx.staff.as_ref() else {
        return PageError::staff(lang, &BackendError::Forbidden).into_response();
    };
    let me = staff.who();
    let g = |k: &str| pairs_get(&form, k);
    let (back, r): (&str, Result<Option<Msg>, BackendError>) = match what {
        AdminPost::CreateStaff => (
            "/staff/admin/staff",
            auth::create_staff(
                &state,
                &me,
                &auth::NewStaff {
                    username: g("username"),
                    display_name: g("name"),
                    unit: g("unit"),
                    role: g("role"),
                    password: g("password"),
                },
            )
            .await
            .map(|_| Some(Msg::Saved)),
        ),
        AdminPost::SetActive => (
            "/staff/admin/staff",
            auth::set_active(&state, &me, &g("id"), g("active") == "1").await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::ResetPassword => (
            "/staff/admin/staff",
            auth::reset_password(&state, &me, &g("id"), &g("password")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::SetHoliday => (
            "/staff/admin/holidays",
            supervision::set_holiday(&state, &me, &g("day"), &g("kind"), &g("name")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::DeleteHoliday => (
            "/staff/admin/holidays",
            supervision::delete_holiday(&state, &me, &g("day")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::SaveTemplate => (
            "/staff/admin/templates",
            backend::services::templates::save(&state, &me, &g("id"), &g("category"), &g("title"), &g("body"))
                .await
                .map(|_| Some(Msg::Saved)),
        ),
        AdminPost::DeleteTemplate => (
            "/staff/admin/templates",
            backend::services::templates::delete(&state, &me, &g("id")).await.map(|()| Some(Msg::Saved)),
        ),
        AdminPost::SaveSummonRules => (
            "/staff/admin/summons",
            backend::services::summons::save_rules(
                &state,
                &me,
                &g("category"),
                &form.iter().filter(|(k, _)| k == "kinds").map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            )
            .await
            .map(|()| Some(Msg::Saved)),
        ),
        AdminPost::SaveQuestion | AdminPost::DeleteQuestion | AdminPost::MoveQuestion => {
            return questions_post(&state, &me, what, &session, lang, &form).await;
        }
        AdminPost::EditArticle => return legal_edit(&state, staff, &session, lang, &form).await,
        AdminPost::VerifyAudit => {
            return match backend::audit::verify_as(&state, &me).await {
                Ok(v) => {
                    let values = vec![
                        ("checked".into(), v.checked.to_string()),
                        (
                            "broken".into(),
                            v.first_broken.as_ref().map(|(s, why)| format!("{s}: {why}")).unwrap_or_default(),
                        ),
                    ];
                    let notice = if v.first_broken.is_none() { Msg::AuditChainOk } else { Msg::AuditChainBroken };
                    flash(&session, Flash { form: "verify".into(), notice: Some(notice), values, ..Flash::default() })
                        .await;
                    Redirect::to("/staff/admin/audit").into_response()
                }
                Err(e) => PageError::staff(lang, &e).into_response(),
            };
        }
    };
    let form_name = what.form_name();
    answer(&session, lang, &form_name, &form, back, r).await
}

/// The questions editor's posts: back to the category's page, with "saved" or each field's
/// problem and what was typed.
async fn questions_post(
    state: &AppState,
    me: &backend::audit::Who,
    what: AdminPost,
    session: &Session,
    lang: Lang,
    form: &[(String, String)],
) -> Response {
    use backend::services::questions;
    let g = |k: &str| pairs_get(form, k);
    let category = g("category");
    // The category goes into the redirect: only a code's characters.
    let back = if domain::questions::valid_code(category.trim()) {
        format!("/staff/admin/questions?category={}", category.trim())
    } else {
        "/staff/admin/questions".to_owned()
    };
    let r = match what {
        AdminPost::SaveQuestion => {
            let f = domain::questions::QuestionForm {
                code: g("code"),
                kind: g("qkind"),
                required: g("required") == "1",
                label: g("label"),
                label_en: g("label_en"),
                help: g("help"),
                help_en: g("help_en"),
                max_len: g("max_len"),
                max: g("max_value"),
                decimals: g("decimals"),
                unit: g("unit_zh"),
                unit_en: g("unit_en"),
                choices: g("choices"),
            };
            questions::save(state, me, &category, &g("original"), &f).await.map(|_| Some(Msg::Saved))
        }
        AdminPost::DeleteQuestion => {
            questions::delete(state, me, &category, &g("code")).await.map(|()| Some(Msg::Saved))
        }
        _ => questions::move_question(state, me, &category, &g("code"), g("dir") == "up")
            .await
            .map(|()| Some(Msg::Saved)),
    };
    answer(session, lang, &what.form_name(), form, &back, r).await
}

/// An admin saves an article's Markdown: back to the editor with "saved", or with every problem
/// (a broken link, an empty text) and the text as typed.
pub(super) async fn legal_edit(
    state: &AppState,
    staff: &auth::Staff,
    session: &Session,
    lang: Lang,
    form: &[(String, String)],
) -> Response {
    let slug = pairs_get(form, "slug");
    // The slug goes into the redirect: only an article's characters.
    if slug.is_empty() || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return message_page(lang, StatusCode::NOT_FOUND, Msg::NotFound);
    }
    let back = format!("/staff/admin/legal?slug={slug}");
    let markdown = pairs_get(form, "markdown");
    match backend::services::legal::update_article(state, staff, &slug, &markdown, lang).await {
        Ok(()) => {
            flash(session, Flash { form: "legal-edit".into(), notice: Some(Msg::Saved), ..Flash::default() }).await;
            Redirect::to(&back).into_response()
        }
        Err(BackendError::Import(lines)) => {
            let mut values: Vec<(String, String)> = lines.into_iter().map(|l| ("problem".to_owned(), l)).collect();
            values.push(("markdown".into(), markdown));
            flash(
                session,
                Flash { form: "legal-edit".into(), problem: Some(Msg::AdminLegalProblems), values, ..Flash::default() },
            )
            .await;
            Redirect::to(&back).into_response()
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}

/// The region import from the admin page: three files in one multipart form.
pub async fn admin_import(
    Extension(state): Extension<AppState>,
    Extension(ctx): Extension<StaffCtx>,
    session: Session,
    headers: HeaderMap,
    mut mp: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    // Who is asking before reading up to 200 MB (the token is inside the body, checked below);
    // the import itself checks again.
    let allowed = ctx.staff.as_ref().ok_or(BackendError::Forbidden).and_then(|s| s.who().require_admin());
    if let Err(e) = allowed {
        return PageError::staff(lang, &e).into_response();
    }
    let mut csrf = String::new();
    let mut files: [Option<Vec<u8>>; 3] = [None, None, None];
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let Ok(bytes) = field.bytes().await else {
                    return message_page(lang, StatusCode::BAD_REQUEST, Msg::ErrFileMissing);
                };
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                    "regions" => files[0] = Some(bytes.to_vec()),
                    "units" => files[1] = Some(bytes.to_vec()),
                    "categories" => files[2] = Some(bytes.to_vec()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return message_page(lang, StatusCode::BAD_REQUEST, Msg::ErrFileMissing),
        }
    }
    if !backend::crypto::same_token(&csrf, &ctx.csrf) {
        return csrf_refused(lang);
    }
    let Some(me) = ctx.staff.as_ref().map(auth::Staff::who) else {
        return PageError::staff(lang, &BackendError::Forbidden).into_response();
    };
    let names = ["regions.geojson", "units.csv", "categories.csv"];
    let mut texts = Vec::new();
    let mut problems = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        match f.filter(|b| !b.is_empty()) {
            None => problems.push(format!("{}: {}", names[i], Msg::ErrFileMissing.text(lang))),
            Some(b) => match import::decode_file(names[i], b) {
                Ok(t) => texts.push(t),
                Err(e) => problems.push(e),
            },
        }
    }
    let result = if problems.is_empty() {
        let files =
            import::ImportFiles { regions: texts.remove(0), units: texts.remove(0), categories: texts.remove(0) };
        import::import_and_reload(&state, &files, &me).await
    } else {
        Err(BackendError::Import(problems))
    };
    match result {
        Ok(r) => {
            let values = vec![
                ("regions".into(), r.regions.to_string()),
                ("units".into(), r.units.to_string()),
                ("categories".into(), r.categories.to_string()),
            ];
            flash(&session, Flash { form: "import".into(), notice: Some(Msg::ImportDone), values, ..Flash::default() })
                .await;
            Redirect::to("/staff/admin/import").into_response()
        }
        Err(BackendError::Import(lines)) => {
            let values = lines.into_iter().map(|l| ("problem".to_owned(), l)).collect();
            flash(
                &session,
                Flash { form: "import".into(), problem: Some(Msg::ImportFailed), values, ..Flash::default() },
            )
            .await;
            Redirect::to("/staff/admin/import").into_response()
        }
        Err(e) => PageError::staff(lang, &e).into_response(),
    }
}
