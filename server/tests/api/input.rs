//! Input the CRM would choke on: invisible and control characters, line
//! breaks in single-line fields, malformed e-mail addresses, ids that are
//! not v7, colliding references, and photo metadata.

use fieldcase_core::wire::intake_reference;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

/// A submission whose texts carry NUL, bidi overrides and zero-width
/// characters everywhere a person types.
fn dirty_submission(id: Uuid, token: &str, photos: &[String]) -> Value {
    let mut body = submission(id, token, photos);
    body["notes"] = json!("Pump\u{0} P-12\u{202E} leaking\u{200B}\r\nsecond line\u{2066}");
    body["fields"]["Subject"] = json!("Feed pump\u{0} P-12\u{202E}laes ta gnikael\u{202C}");
    body["fields"]["Description"] = json!("Leaking\u{200B} at the seal\r\npressure\u{7} 3.2 bar");
    body["fields"]["SuppliedName"] = json!("\u{FEFF}Dana\u{202E} Okafor");
    body["technician"]["name"] = json!("\u{FEFF}Dana\u{202E} Okafor");
    body
}

fn has_hidden(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '\u{0}'
                | '\u{7}'
                | '\u{200B}'
                | '\u{202C}'
                | '\u{202E}'
                | '\u{2066}'
                | '\u{FEFF}'
                | '\r'
        )
    })
}

#[tokio::test]
async fn nul_and_bidi_characters_are_never_stored_nor_reach_the_org() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let token = app.pump();
    let id = Uuid::now_v7();
    let response = app.put_intake(id, &dirty_submission(id, &token, &[])).await;
    assert_eq!(response.status(), 201);

    let listed = app.store.list_intakes().await.unwrap();
    let stored = serde_json::to_string(&listed).unwrap();
    assert!(
        !has_hidden(&stored.replace("\\r", "\r").replace("\\u0000", "\u{0}")),
        "{stored}"
    );
    let intake = &listed[0];
    assert_eq!(intake.notes, "Pump P-12 leaking\nsecond line");
    assert_eq!(intake.fields["Subject"], "Feed pump P-12laes ta gnikael");
    assert_eq!(
        intake.fields["Description"],
        "Leaking at the seal\npressure 3.2 bar"
    );
    assert_eq!(intake.technician.name, "Dana Okafor");

    app.approve(id).await;
    app.wait_for_status(id, "written").await;
    let cases = org
        .query(&format!(
            "SELECT Subject, Description, SuppliedName FROM Case WHERE Intake_Key__c = '{id}'"
        ))
        .await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["Subject"], "Feed pump P-12laes ta gnikael");
    assert_eq!(
        cases[0]["Description"],
        "Leaking at the seal\npressure 3.2 bar"
    );
    assert_eq!(cases[0]["SuppliedName"], "Dana Okafor");
}

#[tokio::test]
async fn a_line_break_in_a_single_line_field_says_what_to_fix() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["fields"]["Subject"] = json!("Feed pump P-12\nleaking at seal");
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 422);
    let error = body_json(response).await;
    assert_api_error(&error, "validation_failed");
    assert_eq!(
        error["fields"]["Subject"],
        "Subject must be a single line: replace the line break with a space or a comma."
    );
    assert_eq!(app.intake_count().await, 0);
}

#[tokio::test]
async fn a_bad_technician_email_or_phone_is_refused_on_its_field() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let mut body = submission(id, &app.pump(), &[]);
    body["technician"]["email"] = json!("a@b@c");
    body["technician"]["phone"] = json!("call me maybe");
    body["fields"]
        .as_object_mut()
        .unwrap()
        .remove("SuppliedEmail");
    let response = app.put_intake(id, &body).await;
    assert_eq!(response.status(), 422);
    let error = body_json(response).await;
    assert_api_error(&error, "validation_failed");
    assert_eq!(
        error["fields"]["SuppliedEmail"],
        "Your email must be an email address such as name@example.com: \
         it has more than one @; keep one."
    );
    assert!(
        error["fields"]["SuppliedPhone"]
            .as_str()
            .unwrap()
            .starts_with("Your phone must be a phone number"),
        "{error}"
    );
    assert_eq!(app.intake_count().await, 0);

    // The same address typed into the case field is refused the same way.
    let mut body = submission(id, &app.pump(), &[]);
    body["fields"]["SuppliedEmail"] = json!("a@b@c.com");
    let error = body_json(app.put_intake(id, &body).await).await;
    assert!(
        error["fields"]["SuppliedEmail"]
            .as_str()
            .unwrap()
            .contains("more than one @"),
        "{error}"
    );
}

#[tokio::test]
async fn an_intake_id_that_is_not_v7_is_refused_with_a_message() {
    let app = spawn_app().await;
    // A version 4 (random) UUID, as `crypto.randomUUID()` makes.
    let id = uuid::Builder::from_random_bytes(*Uuid::now_v7().as_bytes()).into_uuid();
    assert_eq!(id.get_version_num(), 4);
    let response = app.put_intake(id, &submission(id, &app.pump(), &[])).await;
    assert_eq!(response.status(), 400);
    let error = body_json(response).await;
    assert_api_error(&error, "bad_intake_id");
    assert!(
        error["message"].as_str().unwrap().starts_with(
            "The intake id must be a UUID version 7, made by the app before the first attempt"
        ),
        "{error}"
    );
    assert_eq!(app.intake_count().await, 0);
}

#[tokio::test]
async fn a_reference_collision_takes_another_reference() {
    let app = spawn_app().await;
    let token = app.pump();
    let first = Uuid::now_v7();
    // A v7 id crafted to share the first's last 40 bits, so its first-choice
    // reference is the first's.
    let mut bytes = *Uuid::now_v7().as_bytes();
    bytes[11..16].copy_from_slice(&first.as_bytes()[11..16]);
    bytes[10] ^= 0x5A;
    let crafted = Uuid::from_bytes(bytes);
    assert_ne!(crafted, first);
    assert_eq!(crafted.get_version_num(), 7);
    assert_eq!(intake_reference(&crafted), intake_reference(&first));

    let a = app.put_intake(first, &submission(first, &token, &[])).await;
    assert_eq!(a.status(), 201);
    let a = body_json(a).await;
    assert_eq!(a["reference"], intake_reference(&first));
    let b = app
        .put_intake(crafted, &submission(crafted, &token, &[]))
        .await;
    assert_eq!(b.status(), 201);
    let b = body_json(b).await;
    let reference = b["reference"].as_str().unwrap().to_owned();
    assert_ne!(reference, intake_reference(&first));
    assert!(
        reference.starts_with("FC-") && reference.len() == 12,
        "{reference}"
    );
    assert_eq!(app.intake_count().await, 2);

    // A retry answers the same receipt, with the reference it got.
    let again = app
        .put_intake(crafted, &submission(crafted, &token, &[]))
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(body_json(again).await["reference"], reference);
}

/// A JPEG with a GPS-carrying EXIF segment, an XMP segment, a comment and
/// bytes after its end, spliced into a real encoded image.
fn jpeg_with_metadata(clean: &[u8]) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes());
    // GPSInfo IFD pointer, then the GPS IFD with a latitude reference.
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"GPS-SECRET-53.8008N-1.5491W");
    let segment = |marker: u8, payload: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(payload);
        s
    };
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    let xmp =
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><tiff:Model>PhoneCo X9</tiff:Model></x:xmpmeta>";
    let mut out = clean[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xE1, xmp));
    out.extend(segment(0xED, b"Photoshop 3.0\08BIM caption"));
    out.extend(segment(0xFE, b"taken at the Leeds plant"));
    out.extend_from_slice(&clean[2..]);
    out.extend_from_slice(b"TRAILING-GARBAGE-after-EOI");
    out
}

#[tokio::test]
async fn photos_reach_the_org_without_location_or_device_metadata() {
    let (app, org) = spawn_app_with_org(&[]).await;
    app.connect_salesforce().await;
    let token = app.pump();
    let clean = jpeg(64, 48);
    let dirty = jpeg_with_metadata(&clean);
    assert!(
        image::load_from_memory(&dirty).is_ok(),
        "the test photo decodes"
    );
    let upload = app
        .upload(&token, dirty.clone(), "pump.jpg", "image/jpeg")
        .await;
    assert_eq!(upload.status(), 201);
    let sha = body_json(upload).await["sha256"]
        .as_str()
        .unwrap()
        .to_owned();

    let id = Uuid::now_v7();
    assert_eq!(
        app.put_intake(id, &submission(id, &token, std::slice::from_ref(&sha)))
            .await
            .status(),
        201
    );
    app.approve(id).await;
    let receipt = app.wait_for_status(id, "written").await;
    let case_id = receipt["case_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let files = org.case_files(&case_id).await;
    assert_eq!(files.len(), 1);
    let sent = org.file_bytes(files[0]["Id"].as_str().unwrap()).await;

    let text = String::from_utf8_lossy(&sent);
    for gone in [
        "Exif",
        "GPS-SECRET",
        "xmpmeta",
        "PhoneCo",
        "8BIM",
        "Leeds",
        "TRAILING",
    ] {
        assert!(!text.contains(gone), "{gone} reached the org");
    }
    assert!(sent.ends_with(&[0xFF, 0xD9]));
    assert!(sent.len() < dirty.len());
    // The same picture, pixel for pixel.
    let pixels = |b: &[u8]| image::load_from_memory(b).unwrap().to_rgb8().into_raw();
    assert_eq!(pixels(&sent), pixels(&dirty));
    // The checksum is of what was sent; the name still carries the original's hash.
    assert_eq!(files[0]["Checksum"], hex::encode(Md5::digest(&sent)));
    assert!(files[0]["PathOnClient"].as_str().unwrap().contains(&sha));
    // The stored original keeps what the technician uploaded.
    let original = std::fs::read(
        app.data()
            .join("photos")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(&sha),
    )
    .unwrap();
    assert_eq!(original, dirty);
}

#[tokio::test]
async fn a_rejection_reason_is_cleaned_before_the_technician_reads_it() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(0).await;
    let staff = app.dispatcher().await;
    let rejected = staff
        .post(
            &format!("/api/v1/console/intakes/{id}/reject"),
            &json!({ "revision": 1, "reason": "Duplicate\u{0} of\u{202E} FC-1234-5678\u{200B}" }),
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let mine = body_json(
        app.get(&format!("/api/v1/assets/{}/intakes", app.pump()))
            .await,
    )
    .await;
    assert_eq!(mine[0]["reason"], "Duplicate of FC-1234-5678");
}

#[tokio::test]
async fn a_console_edit_is_stored_cleaned() {
    let app = spawn_app().await;
    let id = app.submit_with_photos(0).await;
    let staff = app.dispatcher().await;
    let edited = staff
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 1, "fields": { "Subject": "Pump\u{202E} P-12\u{0} seal" } }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    assert_eq!(
        body_json(edited).await["fields"]["Subject"],
        "Pump P-12 seal"
    );
    let refused = staff
        .patch(
            &format!("/api/v1/console/intakes/{id}"),
            &json!({ "revision": 2, "fields": { "Subject": "two\nlines" } }),
        )
        .await;
    assert_eq!(refused.status(), 422);
}

#[tokio::test]
async fn users_list_prints_no_raw_control_or_bidi_characters() {
    use fieldcase_core::console::Role;
    let app = spawn_app().await;
    // As an account stored before names were cleaned could be.
    app.store
        .create_user(
            "eve@example.com",
            "Eve\u{202E}nimda\u{0}\u{1B}[2J",
            Role::Dispatcher,
            "x",
        )
        .await
        .unwrap()
        .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .args(["users", "list", "--data-dir"])
        .arg(app.data())
        .env_remove("FIELDCASE_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202E}'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("Eve\\u{202e}nimda\\u{0}\\u{1b}[2J"),
        "{stdout}"
    );
}

#[tokio::test]
async fn staff_names_are_cleaned_and_kept_to_one_line() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let bad = admin
        .post(
            "/api/v1/admin/invitations",
            &json!({ "email": "sam@example@example.com", "name": "Sam\nOrtiz", "role": "dispatcher" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = body_json(bad).await;
    assert!(bad["fields"]["email"].is_string(), "{bad}");
    assert_eq!(
        bad["fields"]["name"],
        "The person's name must be a single line: replace the line break with a space or a comma."
    );

    let invitation = admin
        .post(
            "/api/v1/admin/invitations",
            &json!({ "email": "sam@example.com", "name": "Sam\u{202E} Ortiz\u{0}", "role": "dispatcher" }),
        )
        .await;
    assert_eq!(invitation.status(), 201);
    let link = body_json(invitation).await["link"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = link.rsplit('/').next().unwrap();
    let accepted = app
        .client
        .post(app.url("/api/v1/invitations/accept"))
        .header("origin", &app.address)
        .json(&json!({ "token": token, "password": "a good long password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(body_json(accepted).await["name"], "Sam Ortiz");
}

#[tokio::test]
async fn users_add_cleans_the_name_and_refuses_a_line_break() {
    use std::io::Write;
    let app = spawn_app().await;
    let add = |name: &str, email: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fieldcase"))
            .args([
                "users",
                "add",
                "--role",
                "dispatcher",
                "--name",
                name,
                email,
                "--data-dir",
            ])
            .arg(app.data())
            .env_remove("FIELDCASE_DATABASE_URL")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"a good long password\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let refused = add("Eve\nAdmin", "eve@example.com");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("must be a single line"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let made = add("Eve\u{202E} Okafor\u{7}", "eve@example.com");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let users = app.store.list_users().await.unwrap();
    let eve = users.iter().find(|u| u.email == "eve@example.com").unwrap();
    assert_eq!(eve.name, "Eve Okafor");
}
