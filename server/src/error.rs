//! The one error path of the plain (non-Leptos) handlers: how a `BackendError` becomes an HTTP
//! status, a message page in the reader's language, or the flash a form page shows next.
//! Open311 answers in its own machine-readable format but takes its statuses from here.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use backend::BackendError;
use domain::staff::Flash;
use domain::{Lang, Msg};

/// The HTTP status a backend error means, everywhere.
#[must_use]
pub fn status_of(e: &BackendError) -> StatusCode {
    match e {
        BackendError::Invalid(_) | BackendError::BadRequest(_) | BackendError::Import(_) => StatusCode::BAD_REQUEST,
        BackendError::NotFound => StatusCode::NOT_FOUND,
        BackendError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        BackendError::Forbidden => StatusCode::FORBIDDEN,
        BackendError::Conflict(_) => StatusCode::CONFLICT,
        BackendError::Db(_) | BackendError::Migrate(_) | BackendError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A minimal page for errors raised outside the Leptos pages.
#[must_use]
pub fn message_page(lang: Lang, status: StatusCode, msg: Msg) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" \
         href=\"/pkg/pingan.css\"></head><body><main id=\"main\"><h1>{}</h1><p role=\"alert\">{}</p>\
         <p><a href=\"/\">{}</a></p></main></body></html>",
        lang.tag(),
        Msg::SiteName.text(lang),
        Msg::SiteName.text(lang),
        msg.text(lang),
        Msg::Home.text(lang)
    );
    (status, Html(body)).into_response()
}

/// A backend error answered as a message page. What "not found" and "too many requests" say
/// depends on where the person is (a resident's expired form, a staff page); the rest is fixed.
/// Errors that are the server's fault are logged here, once, and shown as a generic message.
#[derive(Debug)]
pub struct PageError<'a> {
    lang: Lang,
    error: &'a BackendError,
    not_found: Msg,
    rate_limited: Msg,
}

impl<'a> PageError<'a> {
    /// On the resident's form posts: an unknown draft or session has expired.
    #[must_use]
    pub fn resident(lang: Lang, error: &'a BackendError) -> Self {
        Self { lang, error, not_found: Msg::DraftExpired, rate_limited: Msg::TrackRateLimited }
    }

    /// In the staff workspace.
    #[must_use]
    pub fn staff(lang: Lang, error: &'a BackendError) -> Self {
        Self { lang, error, not_found: Msg::NotFound, rate_limited: Msg::ErrLoginThrottled }
    }

    /// What a "not found" says here instead.
    #[must_use]
    pub fn not_found(mut self, msg: Msg) -> Self {
        self.not_found = msg;
        self
    }
}

impl IntoResponse for PageError<'_> {
    fn into_response(self) -> Response {
        let status = status_of(self.error);
        let msg = match self.error {
            BackendError::NotFound => self.not_found,
            BackendError::RateLimited => self.rate_limited,
            BackendError::Forbidden => Msg::ErrForbidden,
            BackendError::Conflict(m) => *m,
            BackendError::Invalid(errs) => errs.first().map_or(Msg::GenericError, |e| e.msg),
            _ => {
                tracing::error!(error = %self.error, "request failed");
                return message_page(self.lang, StatusCode::INTERNAL_SERVER_ERROR, Msg::GenericError);
            }
        };
        message_page(self.lang, status, msg)
    }
}

/// The one mapping of a form post's outcome to the flash its page shows next: the notice on
/// success, the field errors or the problem (with what was typed, from `kept`) on a refusal.
/// Any other error is handed back for a [`PageError`].
///
/// # Errors
/// The backend error when it is not a refusal a form can show.
pub fn flash_of<T>(
    form: &str,
    outcome: Result<T, BackendError>,
    notice: impl FnOnce(T) -> Option<Msg>,
    kept: impl FnOnce() -> Vec<(String, String)>,
) -> Result<Flash, BackendError> {
    let form = form.to_owned();
    match outcome {
        Ok(v) => Ok(Flash { form, notice: notice(v), ..Flash::default() }),
        Err(BackendError::Invalid(errors)) => Ok(Flash { form, errors, values: kept(), ..Flash::default() }),
        Err(BackendError::Conflict(m)) => Ok(Flash { form, problem: Some(m), values: kept(), ..Flash::default() }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{FieldError, FieldName};

    #[test]
    fn statuses_and_flashes() {
        assert_eq!(status_of(&BackendError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(status_of(&BackendError::Internal("x".into())), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status_of(&BackendError::Conflict(Msg::ErrActionNotNow)), StatusCode::CONFLICT);
        let e = BackendError::NotFound;
        assert_eq!(PageError::resident(Lang::ZhCn, &e).into_response().status(), StatusCode::NOT_FOUND);
        let kept = || vec![("body".to_owned(), "typed".to_owned())];
        let invalid = BackendError::invalid(FieldError::new(FieldName::Body, Msg::ErrBodyEmpty));
        let f = flash_of("reply", Err::<(), _>(invalid), |()| None, kept).unwrap();
        assert_eq!((f.form.as_str(), f.errors.len(), f.values.len()), ("reply", 1, 1));
        let f = flash_of("reply", Ok(Msg::Saved), Some, kept).unwrap();
        assert_eq!((f.notice, f.values.len()), (Some(Msg::Saved), 0));
        assert!(matches!(
            flash_of("reply", Err::<(), _>(BackendError::Forbidden), |()| None, kept),
            Err(BackendError::Forbidden)
        ));
    }
}
