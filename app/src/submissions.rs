//! The technician's own submissions on an asset, after Submit: what the
//! receipt says, the recent list (`GET /assets/{token}/intakes`, a list of
//! `fieldcase_core::console::SubmissionSummary`) and a returned one to amend
//! (`GET /assets/{token}/intakes/{id}`, a `SubmissionDetail`). Read by hand
//! (see `json.rs`), tested against serde's output of the core types.

use fieldcase_core::wire::{IntakeStatus, Technician};
use fieldcase_i18n::t;
use uuid::Uuid;

use crate::draft::{self, SavedPhoto};
use crate::json::{self, Json};

/// One of the technician's recent submissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: Uuid,
    /// `FC-XXXX-XXXX`.
    pub reference: String,
    pub status: IntakeStatus,
    pub subject: String,
    /// RFC 3339.
    pub submitted_at: String,
    /// Why a dispatcher rejected it.
    pub reason: Option<String>,
    /// What a dispatcher asks (status `returned`).
    pub question: Option<String>,
    pub case_number: Option<String>,
}

/// A status as the server writes it.
pub fn read_status(v: &Json) -> Option<IntakeStatus> {
    IntakeStatus::parse(v.str()?)
}

fn read_summary(v: &Json) -> Option<Summary> {
    let s = |k: &str| v.get(k).and_then(Json::str).map(str::to_owned);
    let o = |k: &str| v.opt(k, Json::str).map(|o| o.map(str::to_owned));
    Some(Summary {
        id: Uuid::try_parse(v.get("id")?.str()?).ok()?,
        reference: s("reference")?,
        status: read_status(v.get("status")?)?,
        subject: s("subject")?,
        submitted_at: s("submitted_at")?,
        reason: o("reason")?,
        question: o("question")?,
        case_number: o("case_number")?,
    })
}

/// A submission as it was sent (with the dispatchers' edits), to amend.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub summary: Summary,
    pub notes: String,
    /// Field values by API name (text, true/false or a number), as sent.
    pub fields: Vec<(String, Json)>,
    pub technician: Technician,
    pub photos: Vec<SavedPhoto>,
}

/// `GET /assets/{token}/intakes/{id}`.
pub fn read_detail(body: &str) -> Option<Detail> {
    let v = json::parse(body)?;
    let mut fields = Vec::new();
    for (k, f) in v.get("fields")?.obj()? {
        match f {
            Json::Bool(_) | Json::Num(_) | Json::Str(_) => fields.push((k.clone(), f.clone())),
            _ => return None,
        }
    }
    let mut photos = Vec::new();
    for p in v.get("photos")?.arr()? {
        photos.push(SavedPhoto {
            sha256: p.get("sha256")?.str()?.to_owned(),
            bytes: p.get("bytes")?.u64()?,
        });
    }
    Some(Detail {
        summary: read_summary(v.get("summary")?)?,
        notes: v.get("notes")?.str()?.to_owned(),
        fields,
        technician: draft::read_technician(v.get("technician")?)?,
        photos,
    })
}

/// What the confirmation says for the receipt's status: its heading and
/// the line above the reference.
pub fn receipt_words(status: IntakeStatus) -> (&'static str, &'static str) {
    use IntakeStatus::*;
    match status {
        Submitted | InReview => (
            t!("Sent for review"),
            t!(
                "A dispatcher checks it before it becomes a case. Quote this reference to your dispatcher:"
            ),
        ),
        Approved | Writing => (
            t!("Approved"),
            t!(
                "A dispatcher approved it; the case is being created. Quote this reference to your dispatcher:"
            ),
        ),
        Written => (
            t!("Case created"),
            t!("Quote this reference to your dispatcher:"),
        ),
        NeedsAttention => (
            t!("Sent"),
            t!(
                "The office is sorting out a problem with it. Quote this reference to your dispatcher:"
            ),
        ),
        Rejected => (
            t!("Rejected"),
            t!("A dispatcher rejected this report. Quote this reference to your dispatcher:"),
        ),
        Returned => (
            t!("Returned with a question"),
            t!(
                "A dispatcher has a question about it; it's on this equipment's page. Quote this reference to your dispatcher:"
            ),
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use fieldcase_core::console::{SubmissionDetail, SubmissionSummary};
    use fieldcase_core::wire::PhotoReceipt;
    use fieldcase_core::{CaseDraft, FieldValue};

    use super::*;

    pub(crate) fn summary(n: u128, status: IntakeStatus) -> SubmissionSummary {
        SubmissionSummary {
            id: Uuid::from_u128(n),
            reference: format!("FC-0000-000{n}"),
            status,
            subject: "Pump P-12 leaking at the seal \"bad\"".into(),
            submitted_at: "2025-03-01T10:00:00Z".into(),
            updated_at: "2025-03-01T11:00:00.5+00:00".into(),
            reason: None,
            question: None,
            case_number: None,
        }
    }

    pub(crate) fn detail() -> SubmissionDetail {
        let mut s = summary(7, IntakeStatus::Returned);
        s.question = Some("Which seal — inlet or outlet?".into());
        let mut fields = CaseDraft::default();
        fields.set("Subject", FieldValue::text("Pump P-12 leaking"));
        fields.set("Priority", FieldValue::text("High"));
        fields.set("Safety_Hazard__c", FieldValue::Bool(true));
        fields.set("Meter_Reading__c", FieldValue::Number(3.2));
        fields.set("AssetId", FieldValue::text("02i000000000001AAA"));
        SubmissionDetail {
            summary: s,
            notes: "pump leaking bad at the seal, 3.2 bar\nsmoke near motor".into(),
            fields,
            technician: Technician {
                name: "Dana Okafor".into(),
                email: None,
                phone: Some("+44 7700 900123".into()),
            },
            photos: vec![PhotoReceipt {
                sha256: "ab".repeat(32),
                content_type: "image/jpeg".into(),
                width: 800,
                height: 600,
                bytes: 12_345,
            }],
        }
    }

    #[test]
    fn reads_every_status_as_the_server_writes_it() {
        let mut list: Vec<SubmissionSummary> = IntakeStatus::ALL
            .iter()
            .enumerate()
            .map(|(i, st)| summary(i as u128, *st))
            .collect();
        list[6].reason = Some("Duplicate of FC-0000-0001.".into());
        list[7].question = Some("Which seal?".into());
        list[4].case_number = Some("00001027".into());
        let read: Vec<Summary> = list
            .iter()
            .map(|s| {
                read_summary(&json::parse(&serde_json::to_string(s).unwrap()).unwrap()).unwrap()
            })
            .collect();
        for (ours, theirs) in read.iter().zip(&list) {
            assert_eq!(ours.id, theirs.id);
            assert_eq!(ours.reference, theirs.reference);
            assert_eq!(ours.status, theirs.status);
            assert_eq!(ours.subject, theirs.subject);
            assert_eq!(ours.submitted_at, theirs.submitted_at);
            assert_eq!(ours.reason, theirs.reason);
            assert_eq!(ours.question, theirs.question);
            assert_eq!(ours.case_number, theirs.case_number);
        }
        assert_eq!(read[7].status, IntakeStatus::Returned);
        assert_eq!(read_summary(&json::parse("{}").unwrap()), None);
    }

    #[test]
    fn reads_a_submission_to_amend() {
        let d = detail();
        let text = serde_json::to_string(&d).unwrap();
        let read = read_detail(&text).unwrap();
        assert_eq!(read.summary.id, d.summary.id);
        assert_eq!(read.summary.status, IntakeStatus::Returned);
        assert_eq!(read.summary.question, d.summary.question);
        assert_eq!(read.notes, d.notes);
        assert_eq!(read.technician, d.technician);
        assert_eq!(
            read.photos,
            vec![SavedPhoto {
                sha256: "ab".repeat(32),
                bytes: 12_345
            }]
        );
        assert_eq!(read.fields.len(), d.fields.0.len());
        let get = |k: &str| read.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        assert_eq!(get("Safety_Hazard__c"), Some(&Json::Bool(true)));
        assert_eq!(get("Meter_Reading__c"), Some(&Json::Num("3.2".into())));
        assert_eq!(get("Priority"), Some(&Json::Str("High".into())));
        assert_eq!(read_detail("{}"), None);
        let mut v = serde_json::to_value(&d).unwrap();
        v["fields"]["Subject"] = serde_json::Value::Null;
        assert_eq!(read_detail(&v.to_string()), None);
    }

    #[test]
    fn the_receipt_says_it_waits_for_review() {
        let (h, lead) = receipt_words(IntakeStatus::Submitted);
        assert_eq!(h, "Sent for review");
        assert!(lead.contains("before it becomes a case"), "{lead}");
        for st in IntakeStatus::ALL {
            let (h, lead) = receipt_words(st);
            assert!(!h.is_empty());
            assert!(lead.contains("Quote this reference"), "{st:?}");
        }
        assert_eq!(receipt_words(IntakeStatus::Written).0, "Case created");
    }
}
