//! What the confirmation says of a submission. The technician's recent
//! submissions and a returned one to answer are read and drawn by the review
//! engine (`OP_RECENT`, `OP_AMEND`), out of the first load; the test data
//! here (`tests::detail`) is shared with those tests.

use fieldcase_core::wire::IntakeStatus;
use fieldcase_i18n::t;

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
    use fieldcase_core::wire::{PhotoReceipt, Technician};
    use fieldcase_core::{CaseDraft, FieldValue};
    use uuid::Uuid;

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
