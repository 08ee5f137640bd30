//! `salesforce`: what writing cases costs against the demo org.
//!
//! * Salesforce API calls per case with 0, 1 and 5 photos, read from the demo
//!   org's own counter (`/__demo/stats`, the figure `Sforce-Limit-Info`
//!   reports), around one intake at a time.
//! * Cases written per minute: a batch of text-only intakes submitted at
//!   once, timed until the last is `written`.
//!
//! Nothing is written before a person approves it: the bench signs in once
//! as the demo dispatcher and approves each intake (read at its revision,
//! then approved) right after submitting it; the timings include that.

use std::time::{Duration, Instant};

use fieldcase_core::AssetToken;
use fieldcase_core::structure::{Context, structure};
use fieldcase_core::wire::{
    IntakeContext, IntakeReceipt, IntakeSubmission, PhotoReceipt, Technician,
};

use crate::Result;
use crate::staff::{DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD, Staff};

async fn api_calls(client: &reqwest::Client, org: &str) -> Result<u64> {
    let stats: serde_json::Value = client
        .get(format!("{org}/__demo/stats"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    stats["api_calls"]
        .as_u64()
        .ok_or_else(|| "the demo org's stats have no api_calls".into())
}

/// A small, valid PNG that differs for every `seed`.
fn png(seed: u32) -> Vec<u8> {
    // 1×1 RGB PNGs: IHDR, one IDAT (stored deflate) and IEND, CRCs included.
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn adler(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for d in data {
            a = (a + u32::from(*d)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let raw = [
        0u8,
        (seed & 0xff) as u8,
        ((seed >> 8) & 0xff) as u8,
        ((seed >> 16) & 0xff) as u8,
    ];
    let mut deflate = vec![
        0x78,
        0x01,
        0x01,
        raw.len() as u8,
        0,
        !(raw.len() as u8),
        0xff,
    ];
    deflate.extend_from_slice(&raw);
    deflate.extend_from_slice(&adler(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &deflate);
    chunk(&mut out, b"IEND", &[]);
    out
}

struct Client<'a> {
    http: reqwest::Client,
    base: &'a str,
    token: &'a AssetToken,
    context: IntakeContext,
    technician: Technician,
    dispatcher: Staff,
    retried: std::cell::Cell<u32>,
}

impl Client<'_> {
    async fn upload(&self, bytes: Vec<u8>) -> Result<String> {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("photo.png");
        let form = reqwest::multipart::Form::new().part("photo", part);
        let receipt: PhotoReceipt = self
            .http
            .post(format!("{}/api/v1/assets/{}/photos", self.base, self.token))
            .multipart(form)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(receipt.sha256)
    }

    async fn submit(&self, notes: &str, photos: Vec<String>) -> Result<uuid::Uuid> {
        let ctx = Context {
            asset: &self.context.asset,
            technician: &self.technician,
        };
        let fields = structure(notes, ctx, &self.context.schema).to_draft();
        let id = uuid::Uuid::now_v7();
        let body = IntakeSubmission {
            id,
            asset_token: self.token.clone(),
            notes: notes.to_owned(),
            fields,
            technician: self.technician.clone(),
            photos,
            photo_locations: vec![],
        };
        self.http
            .put(format!("{}/api/v1/intakes/{id}", self.base))
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(id)
    }

    /// Submit, then approve as the dispatcher: what makes a case. Counts
    /// the approvals that had to be retried after a `500`.
    async fn submit_approved(&self, notes: &str, photos: Vec<String>) -> Result<uuid::Uuid> {
        let id = self.submit(notes, photos).await?;
        let retried = self.dispatcher.approve(id).await?;
        self.retried.set(self.retried.get() + retried);
        Ok(id)
    }

    async fn wait_written(&self, id: uuid::Uuid, deadline: Instant) -> Result<IntakeReceipt> {
        loop {
            let receipt: IntakeReceipt = self
                .http
                .get(format!(
                    "{}/api/v1/assets/{}/intakes/{id}/receipt",
                    self.base,
                    self.token.as_str()
                ))
                .send()
                .await?
                .json()
                .await?;
            if receipt.status.as_str() == "written" {
                return Ok(receipt);
            }
            if receipt.status.as_str() == "needs_attention" {
                return Err(format!("intake {id} needs attention: {:?}", receipt.problems).into());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "intake {id} not written in time ({})",
                    receipt.status.as_str()
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub async fn run(base: &str, token: &AssetToken, org: &str, cases: usize) -> Result<()> {
    let http = reqwest::Client::new();
    let context: IntakeContext = http
        .get(format!("{base}/api/v1/assets/{token}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let dispatcher =
        Staff::sign_in(&http, base, DEMO_DISPATCHER_EMAIL, DEMO_STAFF_PASSWORD).await?;
    let client = Client {
        dispatcher,
        retried: std::cell::Cell::new(0),
        http: http.clone(),
        base,
        token,
        context,
        technician: Technician {
            name: "Bench Technician".into(),
            email: None,
            phone: None,
        },
    };

    println!("Salesforce API calls per case (demo org's counter)");
    let mut seed = std::process::id() << 8;
    for photos in [0usize, 1, 5] {
        let mut shas = Vec::new();
        for _ in 0..photos {
            seed += 1;
            shas.push(client.upload(png(seed)).await?);
        }
        let before = api_calls(&http, org).await?;
        let id = client
            .submit_approved("pump leaking at the seal, 3.2 bar, E-42", shas)
            .await?;
        client
            .wait_written(id, Instant::now() + Duration::from_secs(60))
            .await?;
        let calls = api_calls(&http, org).await? - before;
        println!(
            "  {photos} photo(s): {calls} API call(s)  (naive path: {})",
            1 + 2 * photos
        );
    }

    let started = Instant::now();
    let mut ids = Vec::with_capacity(cases);
    for i in 0..cases {
        ids.push(
            client
                .submit_approved(&format!("bench case {i}: breaker tripping, 230V"), vec![])
                .await?,
        );
    }
    let approved = started.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(300);
    for id in &ids {
        client.wait_written(*id, deadline).await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "cases written to the demo org: {cases} text-only, each approved right after its submission \
         (all submitted and approved at {approved:.1} s), the last written at {elapsed:.1} s = {:.0} cases/minute",
        cases as f64 / elapsed * 60.0
    );
    let retried = client.retried.get();
    if retried > 0 {
        println!(
            "  {retried} approval(s) answered 500 (see the server's log: SQLite busy) and were retried"
        );
    }
    Ok(())
}
