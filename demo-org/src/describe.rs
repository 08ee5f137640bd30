//! The org's schema — the sObjects it knows and their fields — and the
//! describe JSON Salesforce answers `GET /sobjects/{Object}/describe` with.
//!
//! Every write is validated against these definitions (see [`crate::sobjects`]),
//! so the describe a client reads is the contract the org enforces. Case carries
//! Salesforce's standard fields plus fieldcase's custom fields from
//! `core/schemas/case.json` (`Error_Code__c`, `Meter_Reading__c`,
//! `Safety_Hazard__c`, `Intake_Key__c`, `Intake_Reference__c`) and one demo-only field,
//! `External_Ref__c`: an external ID that is *not* unique, so the
//! "300 Multiple Choices" answer of an upsert can be exercised.

use std::sync::LazyLock;

use serde_json::{Value, json};

/// A field's Salesforce type, as `describe` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String,
    TextArea,
    Email,
    Phone,
    Url,
    Picklist,
    Boolean,
    Reference,
    DateTime,
    Date,
    Double,
    Int,
    Base64,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::TextArea => "textarea",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Picklist => "picklist",
            FieldType::Boolean => "boolean",
            FieldType::Reference => "reference",
            FieldType::DateTime => "datetime",
            FieldType::Date => "date",
            FieldType::Double => "double",
            FieldType::Int => "int",
            FieldType::Base64 => "base64",
        }
    }

    fn soap_type(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "tns:ID",
            FieldType::Boolean => "xsd:boolean",
            FieldType::DateTime => "xsd:dateTime",
            FieldType::Date => "xsd:date",
            FieldType::Double => "xsd:double",
            FieldType::Int => "xsd:int",
            FieldType::Base64 => "xsd:base64Binary",
            _ => "xsd:string",
        }
    }

    /// Text-like: stored and compared as strings, limited by `length`.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::TextArea
                | FieldType::Email
                | FieldType::Phone
                | FieldType::Url
                | FieldType::Picklist
        )
    }
}

/// One field of an sObject.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
    pub length: u32,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub defaulted_on_create: bool,
    pub picklist: &'static [&'static str],
    pub picklist_default: Option<&'static str>,
    pub restricted: bool,
    pub reference_to: &'static [&'static str],
    pub relationship_name: Option<&'static str>,
    pub external_id: bool,
    pub unique: bool,
    pub custom: bool,
    pub auto_number: bool,
    pub id_lookup: bool,
    pub name_field: bool,
}

impl FieldDef {
    fn new(name: &'static str, label: &'static str, ty: FieldType) -> Self {
        let length = match ty {
            FieldType::Id | FieldType::Reference => 18,
            FieldType::String | FieldType::Url | FieldType::Picklist => 255,
            FieldType::Email => 80,
            FieldType::Phone => 40,
            FieldType::TextArea => 32000,
            _ => 0,
        };
        let boolean = ty == FieldType::Boolean;
        FieldDef {
            name,
            label,
            ty,
            length,
            // Checkboxes are never null and default to false.
            nillable: !boolean,
            createable: true,
            updateable: true,
            defaulted_on_create: boolean,
            picklist: &[],
            picklist_default: None,
            restricted: false,
            reference_to: &[],
            relationship_name: None,
            external_id: false,
            unique: false,
            custom: name.ends_with("__c"),
            auto_number: false,
            id_lookup: false,
            name_field: false,
        }
    }

    fn len(mut self, n: u32) -> Self {
        self.length = n;
        self
    }
    fn required(mut self) -> Self {
        self.nillable = false;
        self
    }
    fn read_only(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }
    fn create_only(mut self) -> Self {
        self.updateable = false;
        self
    }
    fn defaulted(mut self) -> Self {
        self.defaulted_on_create = true;
        self
    }
    fn values(mut self, values: &'static [&'static str], default: Option<&'static str>) -> Self {
        self.picklist = values;
        self.picklist_default = default;
        if default.is_some() {
            self.defaulted_on_create = true;
        }
        self
    }
    fn restricted(mut self) -> Self {
        self.restricted = true;
        self
    }
    fn refs(mut self, to: &'static [&'static str], relationship: &'static str) -> Self {
        self.reference_to = to;
        self.relationship_name = Some(relationship);
        self
    }
    fn external_id(mut self) -> Self {
        self.external_id = true;
        self.id_lookup = true;
        self
    }
    fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    fn id_lookup(mut self) -> Self {
        self.id_lookup = true;
        self
    }
    fn name_field(mut self) -> Self {
        self.name_field = true;
        self
    }
    fn auto_number(mut self) -> Self {
        self.auto_number = true;
        self.nillable = false;
        self.defaulted_on_create = true;
        self.id_lookup = true;
        self.read_only()
    }
    /// Set by the org on every write (audit fields); never writable.
    fn system(mut self) -> Self {
        self.nillable = false;
        self.defaulted_on_create = true;
        self.read_only()
    }

    /// Salesforce's "required on create": not nillable, createable, and not
    /// defaulted.
    pub fn required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create
    }

    fn describe(&self) -> Value {
        let picklist: Vec<Value> = self
            .picklist
            .iter()
            .map(|v| {
                json!({
                    "active": true,
                    "defaultValue": Some(*v) == self.picklist_default,
                    "label": v,
                    "validFor": null,
                    "value": v,
                })
            })
            .collect();
        let long_text = self.ty == FieldType::TextArea && self.length > 255;
        let byte_length =
            if self.ty.is_text() || matches!(self.ty, FieldType::Id | FieldType::Reference) {
                self.length * 3
            } else {
                0
            };
        json!({
            "autoNumber": self.auto_number,
            "byteLength": byte_length,
            "calculated": false,
            "caseSensitive": false,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": if self.ty == FieldType::Boolean { json!(false) } else { Value::Null },
            "defaultedOnCreate": self.defaulted_on_create,
            "digits": 0,
            "externalId": self.external_id,
            "filterable": !long_text && self.ty != FieldType::Base64,
            "groupable": !long_text && !matches!(self.ty, FieldType::Base64 | FieldType::Double | FieldType::DateTime),
            "idLookup": self.id_lookup || self.ty == FieldType::Id,
            "label": self.label,
            "length": if self.ty.is_text() || matches!(self.ty, FieldType::Id | FieldType::Reference) { self.length } else { 0 },
            "name": self.name,
            "nameField": self.name_field,
            "nillable": self.nillable,
            "picklistValues": picklist,
            "precision": if self.ty == FieldType::Double { 18 } else { 0 },
            "referenceTo": self.reference_to,
            "relationshipName": self.relationship_name,
            "restrictedPicklist": self.restricted,
            "scale": if self.ty == FieldType::Double { 2 } else { 0 },
            "soapType": self.ty.soap_type(),
            "sortable": !long_text && self.ty != FieldType::Base64,
            "type": self.ty.name(),
            "unique": self.unique,
            "updateable": self.updateable,
        })
    }
}

/// One sObject: its name, key prefix, flags and fields.
#[derive(Debug)]
pub struct SObjectDef {
    pub name: &'static str,
    pub label: &'static str,
    pub label_plural: &'static str,
    pub key_prefix: &'static str,
    pub createable: bool,
    pub updateable: bool,
    pub deletable: bool,
    pub fields: Vec<FieldDef>,
}

impl SObjectDef {
    /// A field by name, ignoring case (as Salesforce does).
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    pub fn has_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }

    /// The record's display name: `Name`, or Case's `CaseNumber`, or `Title`.
    pub fn name_field(&self) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name_field)
    }

    fn urls(&self, version: &str) -> Value {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        json!({
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        })
    }

    /// The entry for this object in `GET /sobjects` (describeGlobal).
    pub fn global_entry(&self, version: &str) -> Value {
        json!({
            "activateable": false,
            "createable": self.createable,
            "custom": false,
            "customSetting": false,
            "deletable": self.deletable,
            "deprecatedAndHidden": false,
            "feedEnabled": false,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": true,
            "mergeable": false,
            "mruEnabled": false,
            "name": self.name,
            "queryable": true,
            "replicateable": true,
            "retrieveable": true,
            "searchable": true,
            "triggerable": true,
            "undeletable": false,
            "updateable": self.updateable,
            "urls": self.urls(version),
        })
    }

    /// `GET /sobjects/{Object}/describe`.
    pub fn describe(&self, version: &str) -> Value {
        let mut v = self.global_entry(version);
        if let Value::Object(m) = &mut v {
            m.insert(
                "fields".into(),
                Value::Array(self.fields.iter().map(FieldDef::describe).collect()),
            );
            m.insert("childRelationships".into(), json!([]));
            m.insert("recordTypeInfos".into(), json!([]));
            m.insert(
                "supportedScopes".into(),
                json!([{"label": "All", "name": "everything"}]),
            );
        }
        v
    }
}

const CASE_STATUS: &[&str] = &["New", "Working", "Escalated", "Closed"];
const CASE_PRIORITY: &[&str] = &["High", "Medium", "Low"];
const CASE_TYPE: &[&str] = &[
    "Mechanical",
    "Electrical",
    "Electronic",
    "Structural",
    "Other",
];
const CASE_REASON: &[&str] = &[
    "Installation",
    "Equipment Complexity",
    "Performance",
    "Breakdown",
    "Equipment Design",
    "Feedback",
    "Other",
];
const CASE_ORIGIN: &[&str] = &["Phone", "Email", "Web"];
const ASSET_STATUS: &[&str] = &[
    "Purchased",
    "Shipped",
    "Installed",
    "Registered",
    "Obsolete",
];
const ACCOUNT_TYPE: &[&str] = &[
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
];

/// Objects a file can be shared with (`FirstPublishLocationId`, `LinkedEntityId`).
pub const FILE_PARENTS: &[&str] = &["Account", "Asset", "Case", "User"];

fn audit_fields(owner: bool) -> Vec<FieldDef> {
    use FieldType::*;
    let mut v = Vec::new();
    if owner {
        v.push(
            FieldDef::new("OwnerId", "Owner ID", Reference)
                .refs(&["User"], "Owner")
                .required()
                .defaulted(),
        );
    }
    v.extend([
        FieldDef::new("CreatedDate", "Created Date", DateTime).system(),
        FieldDef::new("CreatedById", "Created By ID", Reference)
            .refs(&["User"], "CreatedBy")
            .system(),
        FieldDef::new("LastModifiedDate", "Last Modified Date", DateTime).system(),
        FieldDef::new("LastModifiedById", "Last Modified By ID", Reference)
            .refs(&["User"], "LastModifiedBy")
            .system(),
        FieldDef::new("SystemModstamp", "System Modstamp", DateTime).system(),
    ]);
    v
}

fn id_fields(label: &'static str) -> Vec<FieldDef> {
    vec![
        FieldDef::new("Id", label, FieldType::Id).system(),
        FieldDef::new("IsDeleted", "Deleted", FieldType::Boolean).read_only(),
    ]
}

fn case() -> SObjectDef {
    use FieldType::*;
    let mut fields = id_fields("Case ID");
    fields.extend([
        FieldDef::new("CaseNumber", "Case Number", String)
            .len(30)
            .auto_number()
            .name_field(),
        FieldDef::new("ContactId", "Contact ID", Reference).refs(&["Contact"], "Contact"),
        FieldDef::new("AccountId", "Account ID", Reference).refs(&["Account"], "Account"),
        FieldDef::new("AssetId", "Asset ID", Reference).refs(&["Asset"], "Asset"),
        FieldDef::new("ParentId", "Parent Case ID", Reference).refs(&["Case"], "Parent"),
        FieldDef::new("SuppliedName", "Web Name", String).len(80),
        FieldDef::new("SuppliedEmail", "Web Email", Email).len(80),
        FieldDef::new("SuppliedPhone", "Web Phone", Phone).len(40),
        FieldDef::new("SuppliedCompany", "Web Company", String).len(80),
        FieldDef::new("Type", "Case Type", Picklist)
            .values(CASE_TYPE, None)
            .restricted(),
        FieldDef::new("Status", "Status", Picklist)
            .len(40)
            .values(CASE_STATUS, Some("New"))
            .restricted()
            .required(),
        FieldDef::new("Reason", "Case Reason", Picklist)
            .values(CASE_REASON, None)
            .restricted(),
        FieldDef::new("Origin", "Case Origin", Picklist)
            .values(CASE_ORIGIN, None)
            .restricted(),
        FieldDef::new("Subject", "Subject", String).len(255),
        FieldDef::new("Priority", "Priority", Picklist)
            .len(40)
            .values(CASE_PRIORITY, Some("Medium"))
            .restricted(),
        FieldDef::new("Description", "Description", TextArea).len(32000),
        FieldDef::new("IsClosed", "Closed", Boolean).read_only(),
        FieldDef::new("ClosedDate", "Closed Date", DateTime).read_only(),
        FieldDef::new("IsEscalated", "Escalated", Boolean),
    ]);
    fields.extend(audit_fields(true));
    fields.extend([
        FieldDef::new("Comments", "Internal Comments", TextArea)
            .len(4000)
            .create_only(),
        FieldDef::new("Error_Code__c", "Error code", String).len(40),
        FieldDef::new("Meter_Reading__c", "Meter reading", String).len(255),
        FieldDef::new("Safety_Hazard__c", "Safety hazard", Boolean),
        FieldDef::new("Intake_Key__c", "Intake key", String)
            .len(36)
            .external_id()
            .unique(),
        FieldDef::new("Intake_Reference__c", "fieldcase reference", String).len(20),
        FieldDef::new("External_Ref__c", "External reference", String)
            .len(64)
            .external_id(),
    ]);
    SObjectDef {
        name: "Case",
        label: "Case",
        label_plural: "Cases",
        key_prefix: "500",
        createable: true,
        updateable: true,
        deletable: true,
        fields,
    }
}

fn account() -> SObjectDef {
    use FieldType::*;
    let mut fields = id_fields("Account ID");
    fields.extend([
        FieldDef::new("Name", "Account Name", String)
            .len(255)
            .required()
            .name_field()
            .id_lookup(),
        FieldDef::new("Type", "Account Type", Picklist)
            .len(40)
            .values(ACCOUNT_TYPE, None),
        FieldDef::new("ParentId", "Parent Account ID", Reference).refs(&["Account"], "Parent"),
        FieldDef::new("BillingStreet", "Billing Street", TextArea).len(255),
        FieldDef::new("BillingCity", "Billing City", String).len(40),
        FieldDef::new("BillingPostalCode", "Billing Zip/Postal Code", String).len(20),
        FieldDef::new("BillingCountry", "Billing Country", String).len(80),
        FieldDef::new("Phone", "Account Phone", Phone),
        FieldDef::new("Website", "Website", Url),
        FieldDef::new("Description", "Account Description", TextArea).len(32000),
    ]);
    fields.extend(audit_fields(true));
    SObjectDef {
        name: "Account",
        label: "Account",
        label_plural: "Accounts",
        key_prefix: "001",
        createable: true,
        updateable: true,
        deletable: true,
        fields,
    }
}

fn asset() -> SObjectDef {
    use FieldType::*;
    let mut fields = id_fields("Asset ID");
    fields.extend([
        FieldDef::new("ContactId", "Contact ID", Reference).refs(&["Contact"], "Contact"),
        FieldDef::new("AccountId", "Account ID", Reference).refs(&["Account"], "Account"),
        FieldDef::new("ParentId", "Parent Asset ID", Reference).refs(&["Asset"], "Parent"),
        FieldDef::new("RootAssetId", "Root Asset ID", Reference)
            .refs(&["Asset"], "RootAsset")
            .read_only(),
        FieldDef::new("Product2Id", "Product ID", Reference).refs(&["Product2"], "Product2"),
        FieldDef::new("IsCompetitorProduct", "Competitor Asset", Boolean),
        FieldDef::new("Name", "Asset Name", String)
            .len(255)
            .required()
            .name_field()
            .id_lookup(),
        FieldDef::new("SerialNumber", "Serial Number", String).len(80),
        FieldDef::new("InstallDate", "Install Date", Date),
        FieldDef::new("PurchaseDate", "Purchase Date", Date),
        FieldDef::new("UsageEndDate", "Usage End Date", Date),
        FieldDef::new("Status", "Status", Picklist)
            .len(40)
            .values(ASSET_STATUS, None),
        FieldDef::new("Price", "Price", Double),
        FieldDef::new("Quantity", "Quantity", Double),
        FieldDef::new("Description", "Description", TextArea).len(32000),
        FieldDef::new("LocationId", "Location ID", Reference).refs(&["Location"], "Location"),
    ]);
    fields.extend(audit_fields(true));
    SObjectDef {
        name: "Asset",
        label: "Asset",
        label_plural: "Assets",
        key_prefix: "02i",
        createable: true,
        updateable: true,
        deletable: true,
        fields,
    }
}

fn content_version() -> SObjectDef {
    use FieldType::*;
    let fields = vec![
        FieldDef::new("Id", "ContentVersion ID", Id).system(),
        FieldDef::new("ContentDocumentId", "ContentDocument ID", Reference)
            .refs(&["ContentDocument"], "ContentDocument")
            .create_only(),
        FieldDef::new("IsLatest", "Is Latest", Boolean).read_only(),
        FieldDef::new("ContentUrl", "Content URL", Url)
            .len(1300)
            .create_only(),
        FieldDef::new("VersionNumber", "Version Number", String)
            .len(20)
            .read_only(),
        FieldDef::new("Title", "Title", String)
            .len(255)
            .required()
            .defaulted()
            .name_field(),
        FieldDef::new("Description", "Description", TextArea).len(1000),
        FieldDef::new("ReasonForChange", "Reason For Change", String).len(1000),
        FieldDef::new("PathOnClient", "Path On Client", String)
            .len(500)
            .create_only(),
        FieldDef::new("VersionData", "Version Data", Base64).create_only(),
        FieldDef::new("ContentSize", "Size", Int).read_only(),
        FieldDef::new("FileType", "File Type", String)
            .len(20)
            .read_only(),
        FieldDef::new("FileExtension", "File Extension", String)
            .len(40)
            .read_only(),
        FieldDef::new("Checksum", "Checksum", String)
            .len(50)
            .read_only(),
        FieldDef::new("ContentLocation", "Content Location", Picklist)
            .len(40)
            .values(&["S", "E", "L"], Some("S"))
            .restricted()
            .required()
            .create_only(),
        FieldDef::new(
            "FirstPublishLocationId",
            "First Publish Location ID",
            Reference,
        )
        .refs(FILE_PARENTS, "FirstPublishLocation")
        .create_only(),
        FieldDef::new("OwnerId", "Owner ID", Reference)
            .refs(&["User"], "Owner")
            .required()
            .defaulted(),
        FieldDef::new("CreatedDate", "Created Date", DateTime).system(),
        FieldDef::new("CreatedById", "Created By ID", Reference)
            .refs(&["User"], "CreatedBy")
            .system(),
        FieldDef::new("LastModifiedDate", "Last Modified Date", DateTime).system(),
        FieldDef::new("LastModifiedById", "Last Modified By ID", Reference)
            .refs(&["User"], "LastModifiedBy")
            .system(),
        FieldDef::new("SystemModstamp", "System Modstamp", DateTime).system(),
    ];
    SObjectDef {
        name: "ContentVersion",
        label: "Content Version",
        label_plural: "Content Versions",
        key_prefix: "068",
        createable: true,
        updateable: true,
        deletable: false,
        fields,
    }
}

fn content_document() -> SObjectDef {
    use FieldType::*;
    let mut fields = id_fields("ContentDocument ID");
    fields.extend([
        FieldDef::new("Title", "Title", String)
            .len(255)
            .required()
            .name_field(),
        FieldDef::new(
            "LatestPublishedVersionId",
            "Latest Published Version ID",
            Reference,
        )
        .refs(&["ContentVersion"], "LatestPublishedVersion")
        .read_only(),
        FieldDef::new("ContentSize", "Size", Int).read_only(),
        FieldDef::new("FileType", "File Type", String)
            .len(20)
            .read_only(),
        FieldDef::new("FileExtension", "File Extension", String)
            .len(40)
            .read_only(),
        FieldDef::new("ParentId", "Library ID", Reference)
            .refs(&["User"], "Parent")
            .read_only(),
    ]);
    fields.extend(audit_fields(true));
    SObjectDef {
        name: "ContentDocument",
        label: "Content Document",
        label_plural: "Content Documents",
        key_prefix: "069",
        createable: false,
        updateable: true,
        deletable: true,
        fields,
    }
}

fn content_document_link() -> SObjectDef {
    use FieldType::*;
    let mut fields = id_fields("ContentDocumentLink ID");
    fields.extend([
        FieldDef::new("LinkedEntityId", "Linked Entity ID", Reference)
            .refs(FILE_PARENTS, "LinkedEntity")
            .required()
            .create_only(),
        FieldDef::new("ContentDocumentId", "ContentDocument ID", Reference)
            .refs(&["ContentDocument"], "ContentDocument")
            .required()
            .create_only(),
        FieldDef::new("ShareType", "Share Type", Picklist)
            .len(40)
            .values(&["V", "C", "I"], Some("V"))
            .restricted()
            .required(),
        FieldDef::new("Visibility", "Visibility", Picklist)
            .len(40)
            .values(
                &["AllUsers", "InternalUsers", "SharedUsers"],
                Some("AllUsers"),
            )
            .restricted()
            .required(),
        FieldDef::new("SystemModstamp", "System Modstamp", DateTime).system(),
    ]);
    SObjectDef {
        name: "ContentDocumentLink",
        label: "Content Document Link",
        label_plural: "Content Document Links",
        key_prefix: "06A",
        createable: true,
        updateable: true,
        deletable: true,
        fields,
    }
}

fn user() -> SObjectDef {
    use FieldType::*;
    let mut fields = vec![FieldDef::new("Id", "User ID", Id).system()];
    fields.extend([
        FieldDef::new("Username", "Username", String)
            .len(80)
            .required()
            .id_lookup()
            .unique(),
        FieldDef::new("LastName", "Last Name", String)
            .len(80)
            .required(),
        FieldDef::new("FirstName", "First Name", String).len(40),
        FieldDef::new("Name", "Full Name", String)
            .len(121)
            .read_only()
            .name_field(),
        FieldDef::new("Email", "Email", Email).len(128).required(),
        FieldDef::new("Alias", "Alias", String).len(8).required(),
        FieldDef::new("IsActive", "Active", Boolean),
        FieldDef::new("TimeZoneSidKey", "Time Zone", Picklist)
            .len(40)
            .required(),
        FieldDef::new("LocaleSidKey", "Locale", Picklist)
            .len(40)
            .required(),
        FieldDef::new("LanguageLocaleKey", "Language", Picklist)
            .len(40)
            .required(),
    ]);
    fields.extend(audit_fields(false));
    SObjectDef {
        name: "User",
        label: "User",
        label_plural: "Users",
        key_prefix: "005",
        createable: false,
        updateable: false,
        deletable: false,
        fields,
    }
}

/// The org itself: one read-only record, whose `IsSandbox` a client reads
/// to tell a sandbox from production (`--sandbox`).
fn organization() -> SObjectDef {
    use FieldType::*;
    let mut fields = vec![FieldDef::new("Id", "Organization ID", Id).system()];
    fields.extend([
        FieldDef::new("Name", "Name", String)
            .len(80)
            .read_only()
            .name_field(),
        FieldDef::new("IsSandbox", "Is Sandbox", Boolean).read_only(),
        FieldDef::new("OrganizationType", "Edition", Picklist)
            .len(40)
            .read_only(),
    ]);
    fields.extend(audit_fields(false));
    SObjectDef {
        name: "Organization",
        label: "Organization",
        label_plural: "Organizations",
        key_prefix: "00D",
        createable: false,
        updateable: false,
        deletable: false,
        fields,
    }
}

static SOBJECTS: LazyLock<Vec<SObjectDef>> = LazyLock::new(|| {
    vec![
        account(),
        asset(),
        case(),
        content_document(),
        content_document_link(),
        content_version(),
        organization(),
        user(),
    ]
});

/// Every sObject the org knows, in name order.
pub fn all() -> &'static [SObjectDef] {
    &SOBJECTS
}

/// An sObject by name, ignoring case (`/sobjects/case/` works in Salesforce).
pub fn sobject(name: &str) -> Option<&'static SObjectDef> {
    SOBJECTS.iter().find(|o| o.name.eq_ignore_ascii_case(name))
}

/// The sObject an id belongs to, by key prefix.
pub fn sobject_of_id(id: &str) -> Option<&'static SObjectDef> {
    let prefix = crate::ids::prefix(id);
    SOBJECTS.iter().find(|o| o.key_prefix == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_fields_follow_the_contract() {
        let case = sobject("case").expect("Case");
        let f = |n: &str| case.field(n).expect(n);
        assert_eq!(f("Subject").length, 255);
        assert_eq!(f("Error_Code__c").length, 40);
        assert!(f("Intake_Key__c").external_id && f("Intake_Key__c").unique);
        assert!(f("External_Ref__c").external_id && !f("External_Ref__c").unique);
        assert!(f("Safety_Hazard__c").defaulted_on_create);
        assert_eq!(f("Status").picklist_default, Some("New"));
        assert_eq!(f("Priority").picklist_default, Some("Medium"));
        for p in ["Priority", "Type", "Reason", "Origin", "Status"] {
            assert!(f(p).restricted, "{p} restricted");
        }
        assert!(!f("CaseNumber").createable);
    }

    #[test]
    fn key_prefixes_are_distinct() {
        let mut p: Vec<_> = all().iter().map(|o| o.key_prefix).collect();
        p.sort_unstable();
        p.dedup();
        assert_eq!(p.len(), all().len());
    }
}
