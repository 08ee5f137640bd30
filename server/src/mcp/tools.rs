//! The tools an AI assistant may call. Reads: assets, the intake schema,
//! the structuring of notes, an intake's status. The one write is
//! `propose_intake`: an intake in review, through the same path as a
//! technician's (`http::intakes::accept`), actor kind `ai`, on behalf of
//! the person whose grant it is. Nothing here approves, edits after
//! submission, or writes to Salesforce.

use std::collections::BTreeMap;

use axum::http::request::Parts;
use fieldcase_core::structure::Source;
use fieldcase_core::wire::{IntakeSubmission, Technician};
use fieldcase_core::{AssetToken, CaseDraft, FieldValue, IntakeId};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Caller, Scope};
use crate::error::Error;
use crate::http::AppState;
use crate::http::intakes::{Via, ViaAssistant, accept};
use crate::store::ActiveAsset;
use crate::store::mcp::AssetFilter;
use crate::structurer::{By, Job};

// A tool answers `Result<Json<T>, String>`: the error is text the model
// reads and can correct from (`isError: true`). Written out in each
// signature, not aliased: rmcp's macro sees `Json<T>` there to publish the
// output schema.

/// The MCP server's handler: one per request (stateless).
#[derive(Clone)]
pub struct Fieldcase {
    state: AppState,
    #[allow(dead_code, reason = "read by the tool_handler macro")]
    tool_router: ToolRouter<Self>,
}

impl Fieldcase {
    pub fn new(state: AppState) -> Self {
        Fieldcase {
            state,
            tool_router: Self::tool_router(),
        }
    }
}

/// The caller [`super::guard`] put on the request, checked for `scope`
/// again here (the guard refuses first, with HTTP's 403).
fn caller(parts: &Parts, scope: Scope) -> Result<Caller, String> {
    let caller = parts
        .extensions
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| "Not connected: no access token on this request.".to_owned())?;
    if caller.may(scope) {
        Ok(caller)
    } else {
        Err(format!(
            "insufficient_scope: this grant does not include {}.",
            scope.as_str()
        ))
    }
}

/// Words for an error from the server's own paths (never a secret: the
/// server's messages say what to fix and name no token).
fn tool_error(e: Error) -> String {
    match e {
        Error::Validation { message, fields } => {
            let mut out = message;
            for (field, problem) in &fields.0 {
                out.push_str(&format!("\n- {field}: {problem}"));
            }
            out
        }
        Error::Database(e) => {
            tracing::error!(error = %e, "MCP tool: database error");
            "fieldcase could not read or write its database. Try again in a minute.".to_owned()
        }
        Error::Internal(e) => {
            tracing::error!(error = %e, "MCP tool: internal error");
            "Something went wrong in fieldcase. Try again in a minute.".to_owned()
        }
        other => other.parts().2,
    }
}

fn db(e: sqlx::Error) -> String {
    tool_error(Error::Database(e))
}

// ---- wire types of the tools (JSON Schema by schemars) ----

/// An asset, as an assistant sees it (never its link's token).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct McpAsset {
    /// fieldcase's id of the asset: what the other tools take.
    pub asset_id: String,
    pub name: String,
    pub serial_number: String,
    pub model: String,
    pub account_name: String,
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_date: Option<String>,
}

impl From<&ActiveAsset> for McpAsset {
    fn from(a: &ActiveAsset) -> Self {
        McpAsset {
            asset_id: a.id.clone(),
            name: a.view.name.clone(),
            serial_number: a.view.serial_number.clone(),
            model: a.view.model.clone(),
            account_name: a.view.account_name.clone(),
            site: a.view.site.clone(),
            location: a.view.location.clone(),
            install_date: a.view.install_date.clone(),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindAssetsInput {
    /// Part of the asset's name (case-insensitive).
    #[serde(default)]
    pub name: Option<String>,
    /// Part of the serial number.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// Part of the site's name.
    #[serde(default)]
    pub site: Option<String>,
    /// Part of the account's (customer's) name.
    #[serde(default)]
    pub account: Option<String>,
    /// Page number, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Assets per page, 1 to 50 (20 when left out).
    #[serde(default)]
    pub page_size: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FindAssetsOutput {
    pub assets: Vec<McpAsset>,
    pub page: u32,
    /// The next page's number, when there are more assets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct AssetInput {
    /// The asset's id (`asset_id` from find_assets).
    pub asset_id: String,
}

/// An intake or case on an asset.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IntakeSummary {
    pub intake_id: String,
    pub reference: String,
    /// `submitted`, `in_review`, `returned`, `approved`, `written`, `rejected`, …
    pub status: String,
    pub subject: String,
    pub submitted_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GetAssetOutput {
    pub asset: McpAsset,
    /// Its intakes still open and its cases of the last 90 days, newest
    /// first: check them before proposing a duplicate.
    pub intakes: Vec<IntakeSummary>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoInput {}

/// One field of the case an intake becomes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SchemaField {
    /// The API name to use in propose_intake's `fields`.
    pub name: String,
    pub label: String,
    /// text, textarea, picklist, checkbox, email, phone, number, date.
    #[serde(rename = "type")]
    pub field_type: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A picklist's allowed values (exactly these, when `restricted`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    pub restricted: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DescribeOutput {
    /// The CRM object, e.g. `Case`.
    pub object: String,
    /// The fields a proposal may set: editable, and allowed by the admin's
    /// policy.
    pub fields: Vec<SchemaField>,
    /// Fields fieldcase fills itself (from the asset or the system): leave
    /// them out of a proposal.
    pub filled_by_fieldcase: Vec<String>,
    /// The longest notes accepted, in characters.
    pub max_notes_chars: u32,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct StructureInput {
    /// The asset the notes are about.
    pub asset_id: String,
    /// The notes, as a technician would write them.
    pub notes: String,
}

/// Where in the notes a value came from: byte offsets and the words.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Provenance {
    pub start: u32,
    pub end: u32,
    pub text: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StructuredField {
    pub field: String,
    /// Text, number or true/false.
    pub value: serde_json::Value,
    /// `notes`, `asset`, `technician` or `default`.
    pub source: String,
    /// The words of the notes that set it (for `notes`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<Provenance>,
    /// 0.0–1.0.
    pub confidence: f32,
    /// A language model proposed it (checked by fieldcase: the value is
    /// valid and quotes the notes).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub proposed_by_ai: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StructureOutput {
    /// `rules` (fieldcase's engine alone, as on the technician's phone) or
    /// `ai` (a language model proposed some fields, each checked).
    pub by: String,
    pub fields: Vec<StructuredField>,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
pub struct ProposeInput {
    /// The asset (`asset_id` from find_assets).
    pub asset_id: String,
    /// What was seen and done, in the technician's words.
    pub notes: String,
    /// Field API name → value (see describe_intake_schema). The proposal
    /// starts from fieldcase's structuring of the notes (structure_notes);
    /// these values replace its values, `null` empties a field.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// SHA-256 of photos already uploaded through the asset's link.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Your key for this proposal (1–200 characters): sending the same key
    /// and body again answers the same intake; a different body under the
    /// same key is refused.
    pub idempotency_key: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProposeOutput {
    pub intake_id: String,
    /// The short reference people quote, e.g. `FC-7K3M-9QXD`.
    pub reference: String,
    /// `in_review`: a dispatcher decides (or `approved`, when the admin's
    /// policy has a rule that approves AI proposals like this one).
    pub status: String,
    /// The intake in the dispatchers' console.
    pub console_url: String,
    /// True when this key was used before: nothing new was made.
    pub replayed: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct StatusInput {
    /// The intake's id (`intake_id` from propose_intake).
    pub intake_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusOutput {
    pub intake_id: String,
    pub reference: String,
    /// `in_review`, `returned` (see `question`), `approved`, `written`
    /// (see `case_number`), `rejected` (see `reason`), …
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    pub console_url: String,
}

const MAX_PAGE_SIZE: u32 = 50;
const MAX_KEY_CHARS: usize = 200;

impl Fieldcase {
    async fn asset(&self, asset_id: &str) -> Result<ActiveAsset, String> {
        self.state
            .store
            .mcp_asset(asset_id.trim())
            .await
            .map_err(db)?
            .ok_or_else(|| {
                format!(
                    "No active asset has asset_id {:?}. Use find_assets to find its id.",
                    asset_id.trim()
                )
            })
    }

    fn console_url(&self, id: &str) -> String {
        format!("{}/console/intakes/{id}", self.state.public_url)
    }

    /// The person on whose behalf: the intake's "technician".
    async fn person(&self, caller: &Caller) -> Result<Technician, String> {
        let name = match Uuid::try_parse(&caller.user_id) {
            Ok(id) => self
                .state
                .store
                .user(&id)
                .await
                .map_err(db)?
                .map(|a| a.user.name),
            Err(_) => None,
        };
        Ok(Technician {
            name: name.unwrap_or_else(|| caller.user_email.clone()),
            email: Some(caller.user_email.clone()),
            phone: None,
        })
    }
}

#[tool_router]
impl Fieldcase {
    /// Find assets (equipment at customers' sites) by part of their name,
    /// serial number, site or account; paged. Read-only.
    #[tool(annotations(
        title = "Find assets",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn find_assets(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(input): Parameters<FindAssetsInput>,
    ) -> Result<Json<FindAssetsOutput>, String> {
        caller(&parts, Scope::AssetsRead)?;
        let page = input.page.unwrap_or(1).max(1);
        let size = input.page_size.unwrap_or(20);
        if size == 0 || size > MAX_PAGE_SIZE {
            return Err(format!("page_size must be 1 to {MAX_PAGE_SIZE}."));
        }
        let filter = AssetFilter {
            name: input.name,
            serial_number: input.serial_number,
            site: input.site,
            account: input.account,
        };
        let offset = (page - 1).saturating_mul(size);
        let mut found = self
            .state
            .store
            .find_assets(&filter, offset, size)
            .await
            .map_err(db)?;
        let more = found.len() > size as usize;
        found.truncate(size as usize);
        Ok(Json(FindAssetsOutput {
            assets: found.iter().map(McpAsset::from).collect(),
            page,
            next_page: more.then_some(page + 1),
        }))
    }

    /// One asset's details, its intakes still open and its recent cases.
    /// Read-only.
    #[tool(annotations(
        title = "Get an asset",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn get_asset(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(input): Parameters<AssetInput>,
    ) -> Result<Json<GetAssetOutput>, String> {
        caller(&parts, Scope::AssetsRead)?;
        let asset = self.asset(&input.asset_id).await?;
        // No intake has the nil id: every related one is listed.
        let none = IntakeId::parse("00000000-0000-7000-8000-000000000000")
            .ok_or_else(|| "internal: no placeholder id".to_owned())?;
        let related = self
            .state
            .store
            .related_intakes(&asset.id, &none)
            .await
            .map_err(db)?;
        Ok(Json(GetAssetOutput {
            asset: McpAsset::from(&asset),
            intakes: related
                .into_iter()
                .map(|r| IntakeSummary {
                    intake_id: r.id.to_string(),
                    reference: r.reference,
                    status: r.status.as_str().to_owned(),
                    subject: r.subject,
                    submitted_at: r.submitted_at,
                    case_number: r.case_number,
                })
                .collect(),
        }))
    }

    /// The fields of the case an intake becomes: names, types, picklist
    /// values and limits. Read-only.
    #[tool(annotations(
        title = "Describe the intake's fields",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn describe_intake_schema(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(_): Parameters<NoInput>,
    ) -> Result<Json<DescribeOutput>, String> {
        caller(&parts, Scope::AssetsRead)?;
        let schema = &self.state.schema;
        let policy = self.state.policy.get();
        // The fields the admin's policy allows to be written, and of those
        // the ones a proposal may set.
        let (editable, filled): (Vec<_>, Vec<_>) = schema
            .fields
            .iter()
            .filter(|f| !f.is_editable() || policy.allows_field(&f.name))
            .partition(|f| f.is_editable());
        Ok(Json(DescribeOutput {
            object: schema.object.clone(),
            fields: editable
                .into_iter()
                .map(|f| SchemaField {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    field_type: serde_json::to_value(f.field_type)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    required: f.required,
                    max_length: f.max_length,
                    values: f.values.iter().map(|v| v.value.clone()).collect(),
                    restricted: f.restricted,
                })
                .collect(),
            filled_by_fieldcase: filled.into_iter().map(|f| f.name.clone()).collect(),
            max_notes_chars: self.state.limits.max_notes_chars,
        }))
    }

    /// Run fieldcase's structuring on notes about an asset: the fields it
    /// proposes, each with where in the notes it came from and a confidence
    /// — what the technician's app would show. A language model proposes
    /// when an admin configured one (`by: ai`, each such field marked and
    /// checked by fieldcase: a valid value quoting the notes), else
    /// fieldcase's rules engine (`by: rules`). Changes nothing.
    #[tool(annotations(
        title = "Structure notes into fields",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn structure_notes(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(input): Parameters<StructureInput>,
    ) -> Result<Json<StructureOutput>, String> {
        let caller = caller(&parts, Scope::AssetsRead)?;
        let asset = self.asset(&input.asset_id).await?;
        let notes = fieldcase_core::text::clean(&input.notes, fieldcase_core::text::Lines::Multi)
            .unwrap_or_default();
        let max = self.state.limits.max_notes_chars as usize;
        if notes.chars().count() > max {
            return Err(format!("notes: at most {max} characters; shorten them."));
        }
        let technician = self.person(&caller).await?;
        // The server's structurer, as the technician's app asks it when
        // online: Claude when an admin configured it (the notes redacted
        // first when the policy says so), else the rules engine.
        let policy = self.state.policy.get();
        let terms = policy.health_terms();
        let allowed = |f: &fieldcase_core::schema::FieldDef| policy.allows_field(&f.name);
        let structured = self
            .state
            .structurer
            .structure(Job {
                notes: &notes,
                asset: &asset.view,
                technician: &technician,
                schema: &self.state.schema,
                allowed: &allowed,
                redact: policy.requires_redaction().then_some(&terms),
            })
            .await;
        if structured.by == By::Ai {
            // So that an intake proposed with these notes records in its
            // audit trail which fields the model proposed.
            self.state
                .ai_proposals
                .remember(&asset.id, &notes, &structured.proposal)
                .await;
        }
        Ok(Json(StructureOutput {
            by: structured.by.as_str().to_owned(),
            fields: structured
                .proposal
                .fields
                .into_iter()
                .map(|f| {
                    let (source, spans) = match f.source {
                        Source::Notes { spans } => (
                            "notes",
                            spans
                                .into_iter()
                                .map(|s| Provenance {
                                    start: s.start,
                                    end: s.end,
                                    text: notes.get(s.range()).unwrap_or_default().to_owned(),
                                })
                                .collect(),
                        ),
                        Source::Asset => ("asset", Vec::new()),
                        Source::Technician => ("technician", Vec::new()),
                        _ => ("default", Vec::new()),
                    };
                    StructuredField {
                        field: f.field,
                        value: serde_json::to_value(&f.value).unwrap_or_default(),
                        source: source.to_owned(),
                        spans,
                        confidence: f.confidence,
                        proposed_by_ai: f.proposed_by_ai,
                    }
                })
                .collect(),
        }))
    }

    /// Propose an intake: it goes to the dispatchers' review queue as
    /// proposed by this assistant on your behalf, and waits for a person.
    /// It never approves, and nothing reaches the CRM until a dispatcher
    /// approves it. Validated like the technician app's; an error names
    /// each field to fix. Send an idempotency_key: a retry with the same
    /// key and body answers the same intake.
    #[tool(annotations(
        title = "Propose an intake for review",
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn propose_intake(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(input): Parameters<ProposeInput>,
    ) -> Result<Json<ProposeOutput>, String> {
        let caller = caller(&parts, Scope::IntakesPropose)?;
        let key = input.idempotency_key.trim().to_owned();
        if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
            return Err(format!(
                "idempotency_key: 1 to {MAX_KEY_CHARS} characters, new for each new proposal."
            ));
        }
        let body_hash = {
            let canonical = serde_json::to_vec(&(
                input.asset_id.trim(),
                &input.notes,
                &input.fields,
                &input.photos,
            ))
            .map_err(|e| tool_error(Error::Internal(e.to_string())))?;
            hex::encode(Sha256::digest(&canonical))
        };
        let store = &self.state.store;
        let earlier = store
            .mcp_proposal(&caller.grant_id, &key)
            .await
            .map_err(db)?;
        if let Some(earlier) = &earlier
            && earlier.body_hash != body_hash
        {
            return Err(format!(
                "idempotency_key {key:?} was used for a different proposal (intake {}). \
                     Use a new key for a new proposal; nothing was made.",
                earlier.intake_id
            ));
        }
        // Everything the model can correct, before anything is kept. The
        // draft starts where the app's review does: the structuring of the
        // notes; the assistant's fields are its edits.
        let asset = self.asset(&input.asset_id).await?;
        let technician = self.person(&caller).await?;
        let notes = fieldcase_core::text::clean(&input.notes, fieldcase_core::text::Lines::Multi)
            .unwrap_or_default();
        let proposal =
            crate::structurer::propose(&notes, &asset.view, &technician, &self.state.schema).await;
        let draft = self.draft(proposal.to_draft(), &input.fields)?;
        let (id, replay) = match earlier {
            Some(e) => (
                IntakeId::parse(&e.intake_id)
                    .ok_or_else(|| tool_error(Error::Internal("stored intake id".into())))?,
                true,
            ),
            None => {
                let since = format!(
                    "{}T00:00:00Z",
                    crate::store::now().get(..10).unwrap_or_default()
                );
                let today = store
                    .mcp_proposals_since(&caller.client_id, &since)
                    .await
                    .map_err(db)?;
                if today >= self.state.mcp.proposals_per_day {
                    return Err(format!(
                        "{} has made its {} proposals for today (UTC); an admin sets this cap. \
                         Nothing was made.",
                        caller.client_name, self.state.mcp.proposals_per_day
                    ));
                }
                let id = IntakeId::parse(&Uuid::now_v7().to_string())
                    .ok_or_else(|| tool_error(Error::Internal("new intake id".into())))?;
                let reserved = store
                    .reserve_mcp_proposal(
                        &caller.grant_id,
                        &caller.client_id,
                        &key,
                        &body_hash,
                        &id.to_string(),
                    )
                    .await
                    .map_err(db)?;
                if !reserved {
                    return Err(
                        "Another request with this idempotency_key is being handled; call \
                         again to get its result."
                            .to_owned(),
                    );
                }
                (id, false)
            }
        };
        let submission = IntakeSubmission {
            id: id.uuid(),
            asset_token: AssetToken::parse(asset.view.token.as_str())
                .map_err(|_| tool_error(Error::Internal("stored asset token".into())))?,
            notes: input.notes.clone(),
            fields: draft,
            technician,
            photos: input.photos.clone(),
            photo_locations: Vec::new(),
        };
        let via = Via::Assistant(ViaAssistant {
            client_name: &caller.client_name,
            on_behalf_of: &caller.user_email,
        });
        let receipt = match accept(&self.state, id, &asset, submission, via).await {
            Ok((_, receipt)) => receipt,
            Err(e) => {
                if !replay {
                    store
                        .release_mcp_proposal(&caller.grant_id, &key)
                        .await
                        .map_err(db)?;
                }
                return Err(format!("{}\nNothing was made.", tool_error(e)));
            }
        };
        tracing::info!(intake_id = %id, client = %caller.client_name, replay, "AI proposal");
        Ok(Json(ProposeOutput {
            intake_id: id.to_string(),
            reference: receipt.reference,
            status: receipt.status.as_str().to_owned(),
            console_url: self.console_url(&id.to_string()),
            replayed: replay || receipt.replayed,
        }))
    }

    /// An intake's status: in review, returned with the reviewer's
    /// question, rejected with the reason, or written with its case number.
    /// Read-only.
    #[tool(annotations(
        title = "Get an intake's status",
        read_only_hint = true,
        destructive_hint = false,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn get_intake_status(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(input): Parameters<StatusInput>,
    ) -> Result<Json<StatusOutput>, String> {
        caller(&parts, Scope::IntakesRead)?;
        let unknown = || {
            format!(
                "No intake has intake_id {:?}; use the intake_id propose_intake answered.",
                input.intake_id.trim()
            )
        };
        let id = IntakeId::parse(&input.intake_id).ok_or_else(unknown)?;
        let intake = self
            .state
            .store
            .review_intake(&id)
            .await
            .map_err(db)?
            .ok_or_else(unknown)?;
        Ok(Json(StatusOutput {
            intake_id: id.to_string(),
            reference: intake.reference,
            status: intake.status.as_str().to_owned(),
            reason: intake.reason,
            question: intake.question,
            case_number: intake.case_number,
            console_url: self.console_url(&id.to_string()),
        }))
    }
}

impl Fieldcase {
    /// The proposal's fields as a draft: JSON values to field values, and
    /// fields fieldcase fills itself refused by name (the rest is checked
    /// by `CaseDraft::validate` in `accept`, as for the app).
    fn draft(
        &self,
        mut draft: CaseDraft,
        fields: &BTreeMap<String, serde_json::Value>,
    ) -> Result<CaseDraft, String> {
        let schema = &self.state.schema;
        let policy = self.state.policy.get();
        let mut problems = Vec::new();
        for (name, value) in fields {
            if let Some(def) = schema.field(name)
                && !def.is_editable()
            {
                problems.push(format!(
                    "- {name}: filled by fieldcase (from the asset or the system); remove it."
                ));
                continue;
            }
            if schema.field(name).is_some() && !policy.allows_field(name) {
                problems.push(format!(
                    "- {name}: the admin's policy does not allow this field to be written; \
                     remove it (describe_intake_schema lists the fields that are)."
                ));
                continue;
            }
            match value {
                serde_json::Value::Null => {
                    draft.0.remove(name);
                }
                serde_json::Value::Bool(b) => draft.set(name.clone(), FieldValue::Bool(*b)),
                serde_json::Value::Number(n) => match n.as_f64() {
                    Some(x) => draft.set(name.clone(), FieldValue::Number(x)),
                    None => problems.push(format!("- {name}: not a number fieldcase can keep.")),
                },
                serde_json::Value::String(s) => {
                    draft.set(name.clone(), FieldValue::text(s.clone()))
                }
                _ => problems.push(format!(
                    "- {name}: a field's value is text, a number or true/false; not a list or \
                     object."
                )),
            }
        }
        // Unknown names and bad values, named as the app would, before
        // anything is reserved.
        let mut probe = draft.clone();
        for def in &schema.fields {
            if !def.is_editable() {
                probe.0.remove(&def.name);
            }
        }
        if let Err(errors) = probe.validate(schema) {
            for (field, message) in errors.0 {
                let editable = schema.field(&field).is_none_or(|d| d.is_editable());
                if editable {
                    problems.push(format!("- {field}: {message}"));
                }
            }
        }
        if problems.is_empty() {
            Ok(draft)
        } else {
            Err(format!(
                "The proposal's fields need fixing (see describe_intake_schema); nothing was \
                 made:\n{}",
                problems.join("\n")
            ))
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Fieldcase {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("fieldcase", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "fieldcase is the governed way into the CRM: look up assets, structure a \
                 technician's notes, and propose intakes. A proposal waits in the dispatchers' \
                 review queue; you cannot approve it or write to the CRM. Use \
                 get_intake_status to follow it.",
            )
    }
}
