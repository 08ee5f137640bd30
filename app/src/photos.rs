//! The photos of the notes screen: each one's state, which may upload now
//! (at most [`MAX_IN_FLIGHT`] at once), and when a failed one is tried again.
//!
//! Pure and tested on the host; the browser side ([`js`], wasm32 only) is a
//! thin binding to `app/js/photos.js`, which shrinks a photo in a worker
//! (≤ 1600 px, JPEG 0.8, no metadata), hashes it and uploads it with
//! progress. That file is loaded on demand, never in the first load.

use crate::api::Failure;

/// Uploads in flight at once: enough to fill a weak link, few enough that
/// each photo finishes (and is safe on the server) early.
pub const MAX_IN_FLIGHT: usize = 3;

/// Pauses before the automatic retries of an upload the network dropped;
/// after the last one the photo waits for the technician's Retry.
const RETRY_MS: [u32; 5] = [1_000, 3_000, 8_000, 20_000, 45_000];

/// A chosen photo, on this screen.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoItem {
    pub id: u32,
    /// `blob:` URL of the chosen file, or the server's thumbnail.
    pub thumb: String,
    /// Bytes to send (the shrunk photo's, once prepared).
    pub bytes: u64,
    /// Hex SHA-256 of the bytes to send, once prepared (empty before, and
    /// where the browser cannot hash).
    pub sha256: String,
    /// Automatic retries so far.
    pub attempts: u32,
    pub state: PhotoState,
    /// Kept on this phone from before a reload, not chosen on this page: a
    /// copy of a photo already attached (its upload landed, the mark of it
    /// in the phone's storage did not) is dropped without a word.
    pub restored: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PhotoState {
    /// Being made smaller (and hashed) on the phone.
    Preparing,
    /// Ready, waiting for an upload slot.
    Waiting,
    /// Being sent; its progress is a signal of its own.
    Sending,
    /// The connection dropped; it goes again by itself after a pause.
    Paused,
    /// Stored on the server under this hash.
    Done(String),
    Failed {
        message: String,
        retry: bool,
    },
}

impl PhotoItem {
    pub fn new(id: u32, thumb: String, bytes: u64) -> PhotoItem {
        PhotoItem {
            id,
            thumb,
            bytes,
            sha256: String::new(),
            attempts: 0,
            state: PhotoState::Preparing,
            restored: false,
        }
    }

    /// Not on the server yet, and not given up on.
    pub fn pending(&self) -> bool {
        !matches!(self.state, PhotoState::Done(_) | PhotoState::Failed { .. })
    }

    /// What the photo's line says (and, for the progress bar, whether it shows).
    pub fn status(&self) -> &str {
        match &self.state {
            PhotoState::Preparing => fieldcase_i18n::t!("Making it smaller…"),
            PhotoState::Waiting => fieldcase_i18n::t!("Waiting to upload…"),
            PhotoState::Sending => fieldcase_i18n::t!("Uploading…"),
            PhotoState::Paused => fieldcase_i18n::t!("Connection lost; trying again…"),
            PhotoState::Done(_) => fieldcase_i18n::t!("Attached"),
            PhotoState::Failed { message, .. } => message,
        }
    }
}

/// The photos to start sending now, in the order they were chosen.
pub fn to_start(items: &[PhotoItem]) -> Vec<u32> {
    let sending = items
        .iter()
        .filter(|p| p.state == PhotoState::Sending)
        .count();
    items
        .iter()
        .filter(|p| p.state == PhotoState::Waiting)
        .take(MAX_IN_FLIGHT.saturating_sub(sending))
        .map(|p| p.id)
        .collect()
}

/// The photos to try again at once when the connection returns: those
/// pausing before their next try, and those that gave up for want of a
/// connection (a refusal by the server is not tried again).
pub fn to_retry_online(items: &[PhotoItem]) -> Vec<u32> {
    items
        .iter()
        .filter(|p| {
            matches!(
                p.state,
                PhotoState::Paused | PhotoState::Failed { retry: true, .. }
            )
        })
        .map(|p| p.id)
        .collect()
}

/// Whether trying the same upload again may succeed: the network, the
/// server's passing troubles (5xx), a timeout or a rate limit.
pub fn retryable(f: &Failure) -> bool {
    matches!(f, Failure::Offline) || f.status().is_some_and(|s| s >= 500 || s == 408 || s == 429)
}

/// The pause before automatic retry number `attempt` (1-based), or `None`
/// when it is time to ask the technician.
pub fn retry_after(attempt: u32) -> Option<u32> {
    RETRY_MS
        .get(usize::try_from(attempt).ok()?.checked_sub(1)?)
        .copied()
}

/// Another photo of the list with the same content (already attached, or on
/// its way): the same picture chosen twice.
pub fn same_as_another(items: &[PhotoItem], id: u32, sha256: &str) -> bool {
    !sha256.is_empty()
        && items.iter().any(|p| {
            p.id != id
                && !matches!(p.state, PhotoState::Failed { .. })
                && (p.sha256 == sha256 || p.state == PhotoState::Done(sha256.to_owned()))
        })
}

/// The browser's side: `app/js/photos.js`, added to the page on first use.
#[cfg(target_arch = "wasm32")]
pub mod js {
    use js_sys::{Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use crate::api::{Failure, read_photo_receipt};

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = fieldcasePhotos, js_name = prepare)]
        fn js_prepare(file: &web_sys::Blob) -> Promise;
        #[wasm_bindgen(js_namespace = fieldcasePhotos, js_name = upload)]
        fn js_upload(token: &str, blob: &web_sys::Blob, progress: &str) -> Promise;
    }

    /// A photo as it will be sent.
    pub struct Prepared {
        pub blob: web_sys::Blob,
        pub sha256: String,
        pub bytes: u64,
    }

    fn loaded() -> bool {
        Reflect::get(&js_sys::global(), &"fieldcasePhotos".into()).is_ok_and(|v| v.is_object())
    }

    /// Add `photos.js` to the page (its URL is in `<meta name="fieldcase-photos">`);
    /// once per page, and again after a failure.
    pub async fn load() -> Result<(), Failure> {
        if loaded() {
            return Ok(());
        }
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .ok_or(Failure::Offline)?;
        let url = doc
            .query_selector("meta[name=fieldcase-photos]")
            .ok()
            .flatten()
            .and_then(|m| m.get_attribute("content"))
            .ok_or(Failure::Offline)?;
        let script: web_sys::HtmlElement = doc
            .create_element("script")
            .map_err(|_| Failure::Offline)?
            .unchecked_into();
        let _ = script.set_attribute("type", "module");
        let _ = script.set_attribute("src", &url);
        let done = Promise::new(&mut |ok, no| {
            script.set_onload(Some(&ok));
            script.set_onerror(Some(&no));
        });
        let body = doc.body().ok_or(Failure::Offline)?;
        let _ = body.append_child(&script);
        let result = JsFuture::from(done).await;
        script.remove();
        match result {
            Ok(_) if loaded() => Ok(()),
            _ => Err(Failure::Offline),
        }
    }

    /// Shrink and hash a chosen file (in a worker where the browser can);
    /// what the browser cannot decode comes back as it is.
    pub async fn prepare(file: &web_sys::Blob) -> Result<Prepared, Failure> {
        load().await?;
        let v = JsFuture::from(js_prepare(file))
            .await
            .map_err(|_| Failure::Offline)?;
        let get = |k: &str| Reflect::get(&v, &k.into()).unwrap_or(JsValue::UNDEFINED);
        Ok(Prepared {
            blob: get("blob").dyn_into().map_err(|_| Failure::Offline)?,
            sha256: get("sha256").as_string().unwrap_or_default(),
            bytes: get("bytes").as_f64().unwrap_or(0.0) as u64,
        })
    }

    /// `POST /assets/{token}/photos` with `XMLHttpRequest`, moving the
    /// `<progress>` element with id `progress` (if any) as bytes go: the
    /// receipt's hash and size. The offline outbox sends its stored photos
    /// through this too. (photos.js moves the element itself: progress
    /// through a Rust closure and a signal cost the first load ~1 KB.)
    pub async fn upload(
        token: &str,
        blob: &web_sys::Blob,
        progress: &str,
    ) -> Result<(String, u64), Failure> {
        load().await?;
        let answer = JsFuture::from(js_upload(token, blob, progress))
            .await
            .map_err(|_| Failure::Offline)?;
        let status = Reflect::get(&answer, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .unwrap_or(0.0) as u16;
        let body = Reflect::get(&answer, &"body".into())
            .ok()
            .and_then(|b| b.as_string())
            .unwrap_or_default();
        match status {
            0 => Err(Failure::Offline),
            200..=299 => read_photo_receipt(&body).ok_or_else(Failure::unreadable),
            _ => Err(Failure::from_response(status, &body)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: u32, state: PhotoState) -> PhotoItem {
        PhotoItem {
            state,
            ..PhotoItem::new(id, String::new(), 1)
        }
    }

    #[test]
    fn at_most_three_upload_at_once_in_the_order_chosen() {
        let mut items: Vec<_> = (0..5).map(|i| item(i, PhotoState::Waiting)).collect();
        assert_eq!(to_start(&items), vec![0, 1, 2]);
        for p in &mut items[..3] {
            p.state = PhotoState::Sending;
        }
        assert!(to_start(&items).is_empty());
        items[1].state = PhotoState::Done("ab".into());
        assert_eq!(to_start(&items), vec![3]);
        items[0].state = PhotoState::Paused;
        items[2].state = PhotoState::Failed {
            message: "x".into(),
            retry: true,
        };
        assert_eq!(to_start(&items), vec![3, 4]);
    }

    #[test]
    fn back_online_the_photos_that_waited_for_a_connection_go_again_refused_ones_do_not() {
        let items = vec![
            item(0, PhotoState::Paused),
            item(
                1,
                PhotoState::Failed {
                    message: "Couldn't upload.".into(),
                    retry: true,
                },
            ),
            item(
                2,
                PhotoState::Failed {
                    message: "This file is not a photo.".into(),
                    retry: false,
                },
            ),
            item(3, PhotoState::Sending),
            item(4, PhotoState::Done("ab".into())),
            item(5, PhotoState::Waiting),
        ];
        assert_eq!(to_retry_online(&items), vec![0, 1]);
    }

    #[test]
    fn photos_still_being_made_smaller_wait_for_no_slot() {
        let items = vec![
            item(0, PhotoState::Preparing),
            item(1, PhotoState::Preparing),
            item(2, PhotoState::Preparing),
            item(3, PhotoState::Waiting),
        ];
        assert_eq!(to_start(&items), vec![3]);
        assert!(items[0].pending() && items[3].pending());
        assert!(!item(4, PhotoState::Done("ab".into())).pending());
    }

    #[test]
    fn network_and_passing_server_failures_retry_refusals_do_not() {
        assert!(retryable(&Failure::Offline));
        for status in [500, 503, 408, 429] {
            assert!(retryable(&Failure::from_response(status, "")), "{status}");
        }
        let not_a_photo = Failure::from_response(
            415,
            r#"{"code":"not_a_photo","message":"This file is not a photo.","fields":{}}"#,
        );
        assert!(!retryable(&not_a_photo));
        assert!(!retryable(&Failure::from_response(413, "")));
    }

    #[test]
    fn retries_back_off_then_hand_over_to_the_technician() {
        let pauses: Vec<_> = (1..).map_while(retry_after).collect();
        assert_eq!(pauses.len(), RETRY_MS.len());
        assert!(pauses.windows(2).all(|w| w[0] < w[1]), "{pauses:?}");
        assert_eq!(retry_after(0), None);
        assert_eq!(retry_after(u32::MAX), None);
        // All the automatic tries fit in well under two minutes.
        assert!(pauses.iter().sum::<u32>() < 120_000);
    }

    #[test]
    fn the_same_picture_twice_is_found_by_its_hash() {
        let mut a = item(0, PhotoState::Sending);
        a.sha256 = "ab".into();
        let b = item(1, PhotoState::Done("cd".into()));
        let items = vec![a, b];
        assert!(same_as_another(&items, 2, "ab"));
        assert!(same_as_another(&items, 2, "cd"));
        assert!(!same_as_another(&items, 0, "ab"), "not itself");
        assert!(!same_as_another(&items, 2, "ef"));
        assert!(!same_as_another(&items, 2, ""), "unhashed is never a match");
        let failed = vec![PhotoItem {
            sha256: "ab".into(),
            ..item(
                0,
                PhotoState::Failed {
                    message: String::new(),
                    retry: false,
                },
            )
        }];
        assert!(!same_as_another(&failed, 1, "ab"));
    }

    #[test]
    fn each_state_says_what_is_happening() {
        assert_eq!(item(0, PhotoState::Sending).status(), "Uploading…");
        assert_eq!(item(0, PhotoState::Done("ab".into())).status(), "Attached");
        let failed = item(
            0,
            PhotoState::Failed {
                message: "This file is not a photo.".into(),
                retry: false,
            },
        );
        assert_eq!(failed.status(), "This file is not a photo.");
    }
}
