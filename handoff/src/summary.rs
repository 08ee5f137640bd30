//! [`CaseSummary`]: what every route carries, built by the server after a
//! successful Salesforce write. It is also the webhook's JSON body.

use std::collections::BTreeMap;

use fieldcase_core::FieldValue;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A case as written to Salesforce, summarised for the people it is routed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// The intake's id (UUID v7), the external-ID key of the case.
    pub intake_id: Uuid,
    /// The short reference the technician was shown, e.g. `FC-7K3M-9QXD`.
    pub reference: String,
    /// Salesforce's CaseNumber, e.g. `00001001`.
    pub case_number: String,
    /// The Case record Id.
    pub case_id: String,
    /// A link that opens the record in Salesforce.
    pub case_url: String,
    pub asset_name: String,
    pub account_name: String,
    pub priority: String,
    pub subject: String,
    pub photo_count: u32,
    /// The case's field values by API name, as written; routing rules test these.
    pub fields: BTreeMap<String, FieldValue>,
    /// Set when the admin's policy escalated the intake at submission, before
    /// review and before any case exists (`case_number`, `case_id` and
    /// `case_url` are then empty): why it was escalated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<String>,
}

#[cfg(test)]
pub(crate) fn sample() -> CaseSummary {
    let mut fields = BTreeMap::new();
    for (k, v) in [
        (
            "Subject",
            FieldValue::text("Feed pump P-12: leaking at seal"),
        ),
        ("Priority", FieldValue::text("High")),
        ("Type", FieldValue::text("Mechanical")),
        ("Safety_Hazard__c", FieldValue::Bool(true)),
        ("Error_Code__c", FieldValue::text("E-42")),
        (
            "Description",
            FieldValue::text("Leaking at the seal, puddle under the pump.\nNeeds a new seal kit."),
        ),
        ("SuppliedName", FieldValue::text("Sam Tech")),
    ] {
        fields.insert(k.to_owned(), v);
    }
    CaseSummary {
        intake_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        reference: "FC-7K3M-9QXD".into(),
        case_number: "00001001".into(),
        case_id: "500000000000001AAA".into(),
        case_url: "https://example.my.salesforce.com/lightning/r/Case/500000000000001AAA/view"
            .into(),
        asset_name: "Feed pump P-12".into(),
        account_name: "Northwind Foods".into(),
        priority: "High".into(),
        subject: "Feed pump P-12: leaking at seal".into(),
        photo_count: 3,
        escalation: Vec::new(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_json_with_plain_field_values() {
        let s = sample();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["case_number"], "00001001");
        assert_eq!(json["photo_count"], 3);
        assert_eq!(json["fields"]["Safety_Hazard__c"], true);
        assert_eq!(json["fields"]["Priority"], "High");
        let back: CaseSummary = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }
}
