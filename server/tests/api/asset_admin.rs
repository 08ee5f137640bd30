//! Admins manage assets: list and search, create, edit, retire, a new link,
//! CSV and org imports, and QR labels that decode back to their links.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{StaffSession, body_json, spawn_app, spawn_app_with_org};

async fn create(admin: &StaffSession, name: &str, serial: &str) -> Value {
    let made = admin
        .post(
            "/api/v1/admin/assets",
            &json!({ "name": name, "serial_number": serial, "model": "Grundfos CR 5",
                     "account_name": "Acme Dairy", "site": "Bradford", "location": "Cold store" }),
        )
        .await;
    assert_eq!(made.status(), 201);
    body_json(made).await
}

fn path_of(link: &str) -> String {
    let at = link.find("/a/").unwrap();
    link[at..].to_owned()
}

async fn csv(admin: &StaffSession, mode: &str, body: &str) -> reqwest::Response {
    admin
        .request(
            Method::POST,
            &format!("/api/v1/admin/asset-imports/csv?mode={mode}"),
        )
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn audit_kinds(admin: &StaffSession) -> Vec<String> {
    let log = admin.get_json("/api/v1/admin/audit").await;
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_admin_creates_finds_edits_and_retires_an_asset_and_each_change_is_audited() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let made = create(&admin, "Blast chiller BC-9", "BC-9001").await;
    let id = made["id"].as_str().unwrap().to_owned();
    let link = made["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/a/", app.address)), "{link}");

    // The technician's link opens it.
    let context = app
        .get(&format!("/api/v1/assets/{}", &path_of(&link)[3..]))
        .await;
    assert_eq!(context.status(), 200);
    assert_eq!(
        body_json(context).await["asset"]["name"],
        "Blast chiller BC-9"
    );

    // Search by serial, site, account and name; paged.
    for q in ["BC-9001", "bradford", "Acme", "blast"] {
        let page = admin.get_json(&format!("/api/v1/admin/assets?q={q}")).await;
        assert_eq!(page["total"], 1, "{q}: {page}");
        assert_eq!(page["assets"][0]["id"], id.as_str());
    }
    let page = admin
        .get_json("/api/v1/admin/assets?per_page=2&page=2")
        .await;
    assert_eq!(page["assets"].as_array().unwrap().len(), 2);
    assert_eq!(page["page"], 2);
    assert!(page["total"].as_u64().unwrap() >= 7);
    let wild = admin.get_json("/api/v1/admin/assets?q=%25").await;
    assert_eq!(wild["total"], 0, "a % is searched for, not a wildcard");

    // A bad field: nothing saved, and the message says what to fix.
    let bad = admin
        .send(
            Method::PUT,
            &format!("/api/v1/admin/assets/{id}"),
            &json!({ "name": "", "account_name": "Acme Dairy", "install_date": "2024-02-30" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = body_json(bad).await;
    assert!(bad["fields"]["name"].as_str().unwrap().contains("required"));
    assert!(
        bad["fields"]["install_date"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD")
    );

    let edited = admin
        .send(
            Method::PUT,
            &format!("/api/v1/admin/assets/{id}"),
            &json!({ "name": "Blast chiller BC-9", "serial_number": "BC-9001", "model": "Grundfos CR 5",
                     "account_name": "Acme Dairy", "site": "Halifax", "location": "Cold store",
                     "install_date": "2024-02-29" }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited = body_json(edited).await;
    assert_eq!(edited["site"], "Halifax");
    assert_eq!(edited["link"], link.as_str(), "editing keeps the link");

    let retired = admin
        .post(&format!("/api/v1/admin/assets/{id}/retire"), &json!({}))
        .await;
    assert_eq!(retired.status(), 200);
    let retired = body_json(retired).await;
    assert!(retired["retired_at"].is_string());
    assert!(retired.get("link").is_none());
    // Its link answers as an unknown one does; nothing is deleted.
    assert_eq!(app.get(&path_of(&link)).await.status(), 404);
    let active = admin.get_json("/api/v1/admin/assets?q=BC-9001").await;
    assert_eq!(active["total"], 0);
    let listed = admin
        .get_json("/api/v1/admin/assets?q=BC-9001&status=retired")
        .await;
    assert_eq!(listed["total"], 1);
    let again = admin
        .post(&format!("/api/v1/admin/assets/{id}/retire"), &json!({}))
        .await;
    assert_eq!(again.status(), 409);

    let kinds = audit_kinds(&admin).await;
    for kind in ["asset_created", "asset_updated", "asset_retired"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_new_link_stops_the_old_label_at_once_and_the_new_one_works() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let made = create(&admin, "Ice machine IM-1", "IM-1").await;
    let id = made["id"].as_str().unwrap();
    let old = path_of(made["link"].as_str().unwrap());
    assert_eq!(app.get(&old).await.status(), 200);

    let rotated = admin
        .post(&format!("/api/v1/admin/assets/{id}/rotate"), &json!({}))
        .await;
    assert_eq!(rotated.status(), 200);
    let new = path_of(body_json(rotated).await["link"].as_str().unwrap());
    assert_ne!(new, old);

    let page = app.get(&old).await;
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("Code not active"), "{html}");
    assert_eq!(
        app.get(&format!("/api/v1/assets/{}", &old[3..]))
            .await
            .status(),
        404
    );
    assert_eq!(app.get(&new).await.status(), 200);
    assert!(
        audit_kinds(&admin)
            .await
            .iter()
            .any(|k| k == "asset_link_rotated")
    );
}

const GOOD_AND_BAD: &str = "Name,Serial Number,Account,Site,Location,Install Date\n\
    Walk-in freezer WF-1,WF-1,Acme Dairy,Bradford,Bay 2,2022-05-01\n\
    ,WF-2,Acme Dairy,Bradford,,\n\
    Boiler B-7,B-7,Acme Dairy,Bradford,Plant room,2022-13-01\n\
    Compressor C-3,C-3,Acme Dairy,Leeds,,\n\
    Compressor C-3 again,C-3,acme dairy,Leeds,,\n";

#[tokio::test]
async fn a_csv_with_bad_rows_imports_nothing_or_the_valid_rows_as_the_admin_chooses() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let before = app.store.count_assets().await.unwrap();

    let all = csv(&admin, "all_or_nothing", GOOD_AND_BAD).await;
    assert_eq!(all.status(), 200);
    let report = body_json(all).await;
    assert_eq!(report["created"], 0);
    assert_eq!(report["rows"], 5);
    assert_eq!(
        app.store.count_assets().await.unwrap(),
        before,
        "nothing imported"
    );
    let problems = report["problems"].as_array().unwrap();
    let at = |row: u64, column: &str| {
        problems
            .iter()
            .find(|p| p["row"] == row && p["column"] == column)
            .unwrap_or_else(|| panic!("no problem at row {row}, {column}: {problems:?}"))["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(at(3, "Name").contains("required"));
    assert!(at(4, "Install Date").contains("YYYY-MM-DD"));
    assert!(at(6, "Serial Number").contains("Row 5"));
    assert_eq!(problems.len(), 3, "{problems:?}");

    let valid = csv(&admin, "valid_rows", GOOD_AND_BAD).await;
    assert_eq!(valid.status(), 200);
    let report = body_json(valid).await;
    assert_eq!(report["created"], 2);
    assert_eq!(report["skipped"], 3);
    assert_eq!(app.store.count_assets().await.unwrap(), before + 2);
    let found = admin.get_json("/api/v1/admin/assets?q=WF-1").await;
    assert_eq!(found["assets"][0]["location"], "Bay 2");
    assert!(found["assets"][0]["link"].is_string(), "each gets a link");

    // The same file again updates (same serial and account), never doubles.
    let again = body_json(csv(&admin, "valid_rows", GOOD_AND_BAD).await).await;
    assert_eq!(again["created"], 0);
    assert_eq!(again["updated"], 2);
    assert_eq!(app.store.count_assets().await.unwrap(), before + 2);
    assert!(
        audit_kinds(&admin)
            .await
            .iter()
            .any(|k| k == "assets_imported")
    );

    // A file that cannot be imported at all says why.
    let unknown = csv(&admin, "valid_rows", "Name,Account,Colour\nA,B,red\n").await;
    assert_eq!(unknown.status(), 422);
    assert!(
        body_json(unknown).await["message"]
            .as_str()
            .unwrap()
            .contains("\"Colour\"")
    );
    let no_account = csv(&admin, "valid_rows", "Name,Serial\nA,1\n").await;
    assert_eq!(no_account.status(), 422);
    let big = "Name,Account\n".to_owned() + &"Pump,Acme\n".repeat(120_000);
    assert_eq!(csv(&admin, "valid_rows", &big).await.status(), 413);
}

#[tokio::test]
async fn importing_the_orgs_assets_keeps_their_salesforce_ids_and_a_reimport_updates_them() {
    let (app, org) = spawn_app_with_org(&[]).await;
    let admin = app.admin().await;
    // Not connected yet: the admin is told what to do.
    let early = admin
        .post("/api/v1/admin/asset-imports/salesforce", &json!({}))
        .await;
    assert_eq!(early.status(), 409);
    assert!(
        body_json(early).await["message"]
            .as_str()
            .unwrap()
            .contains("/admin/salesforce")
    );

    app.connect_salesforce().await;
    let account = org
        .query("SELECT Id, Name FROM Account WHERE Name = 'Northwind Foods'")
        .await
        .remove(0);
    let new_id = org
        .create_record(
            "Asset",
            &json!({ "Name": "Steam kettle SK-4", "SerialNumber": "SK-4004",
                     "AccountId": account["Id"] }),
        )
        .await;
    let org_ids: BTreeSet<String> = org
        .query("SELECT Id FROM Asset")
        .await
        .iter()
        .map(|a| a["Id"].as_str().unwrap().to_owned())
        .collect();

    let report = admin
        .post("/api/v1/admin/asset-imports/salesforce", &json!({}))
        .await;
    assert_eq!(report.status(), 200);
    let report = body_json(report).await;
    assert_eq!(report["rows"].as_u64().unwrap() as usize, org_ids.len());
    assert!(report["created"].as_u64().unwrap() >= 1, "{report}");

    let all = admin
        .get_json("/api/v1/admin/assets?status=all&per_page=200")
        .await;
    let assets = all["assets"].as_array().unwrap();
    let kept: BTreeSet<String> = assets
        .iter()
        .filter_map(|a| a["crm_asset_id"].as_str().map(str::to_owned))
        .collect();
    assert!(org_ids.is_subset(&kept), "{org_ids:?} ⊄ {kept:?}");
    let kettle = assets
        .iter()
        .find(|a| a["crm_asset_id"] == new_id.as_str())
        .unwrap();
    assert_eq!(kettle["name"], "Steam kettle SK-4");
    assert_eq!(kettle["serial_number"], "SK-4004");
    assert_eq!(kettle["account_name"], "Northwind Foods");
    assert!(kettle["link"].is_string());
    let count = all["total"].as_u64().unwrap();

    // Again: the same assets, updated, none doubled.
    let again = body_json(
        admin
            .post("/api/v1/admin/asset-imports/salesforce", &json!({}))
            .await,
    )
    .await;
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["updated"].as_u64().unwrap() as usize, org_ids.len());
    let after = admin.get_json("/api/v1/admin/assets?status=all").await;
    assert_eq!(after["total"].as_u64().unwrap(), count);
}

/// The dark modules of a PNG label, sampled at each module's centre.
fn png_modules(png: &[u8], side_modules: usize) -> BTreeSet<(usize, usize)> {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let px = img.width() as usize / side_modules;
    let mut dark = BTreeSet::new();
    for y in 0..side_modules {
        for x in 0..side_modules {
            let p = img.get_pixel((x * px + px / 2) as u32, (y * px + px / 2) as u32);
            if p.0[0] < 128 {
                dark.insert((x, y));
            }
        }
    }
    dark
}

/// The dark modules an SVG path of `M x y h1v1h-1z` squares draws.
fn svg_modules(svg: &str) -> BTreeSet<(usize, usize)> {
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    d.split('M')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.strip_suffix("h1v1h-1z").expect("one square a module");
            let (x, y) = s.split_once(' ').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// Decode a PNG with rqrr: the content, and the symbol's version.
fn decode(png: &[u8]) -> (String, usize) {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one code on a label");
    let (meta, content) = grids[0].decode().unwrap();
    (content, meta.version.0)
}

async fn label(admin: &StaffSession, id: &str, ext: &str) -> Vec<u8> {
    let res = admin
        .get(&format!("/api/v1/admin/assets/{id}/label.{ext}"))
        .await;
    assert_eq!(res.status(), 200, "{ext}");
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"label-"),
        "{disposition}"
    );
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn every_label_decodes_back_to_its_assets_link_and_the_sheet_prints_the_same_codes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let page = admin.get_json("/api/v1/admin/assets?per_page=200").await;
    let assets = page["assets"].as_array().unwrap().clone();
    assert!(assets.len() >= 6);
    let ids: Vec<&str> = assets.iter().map(|a| a["id"].as_str().unwrap()).collect();

    let sheet = admin
        .get(&format!(
            "/admin/assets/labels?paper=a4&grid=3x8&crop=1&ids={}",
            ids.join(",")
        ))
        .await;
    assert_eq!(sheet.status(), 200);
    let csp = sheet.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = sheet.text().await.unwrap();
    assert!(html.contains("class=\"sheet p-a4 g-3x8 crop\""), "{html}");
    assert!(!html.contains("style="), "no inline style");

    for a in &assets {
        let id = a["id"].as_str().unwrap();
        let link = a["link"].as_str().unwrap();
        let png = label(&admin, id, "png").await;
        let (content, version) = decode(&png);
        assert!(version <= 3, "version {version}");
        assert!(content.eq_ignore_ascii_case(link), "{content} ≠ {link}");
        // What the code holds opens the asset.
        let opened = app
            .client
            // As the phone opens it: upper case, as scanned.
            .get(content.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), 307);
        assert_eq!(opened.headers()["location"], path_of(link).as_str());

        // The SVG draws exactly the PNG's modules, with the name and serial.
        let svg = String::from_utf8(label(&admin, id, "svg").await).unwrap();
        let side = (17 + 4 * version) + 8;
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {side} {}\"", side + 8)),
            "{svg}"
        );
        let modules = png_modules(&png, side);
        assert_eq!(svg_modules(&svg), modules);
        let name = a["name"].as_str().unwrap();
        assert!(svg.contains(&format!(">{name}</text>")) || name.chars().count() > 24);
        assert!(svg.contains(&format!("S/N {}", a["serial_number"].as_str().unwrap())));

        // The sheet prints this very code, with its name and serial under it.
        let cell = html
            .split(&format!("data-asset=\"{id}\">"))
            .nth(1)
            .unwrap()
            .split("</div>")
            .next()
            .unwrap();
        assert_eq!(svg_modules(cell), modules);
        assert!(
            cell.contains(&format!("<p class=\"name\">{name}</p>")),
            "{cell}"
        );
    }
}

#[tokio::test]
async fn a_sheet_of_no_assets_says_what_to_do_and_a_retired_asset_has_no_label() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let empty = admin
        .get("/admin/assets/labels?paper=letter&grid=2x5")
        .await;
    assert_eq!(empty.status(), 422);
    let html = empty.text().await.unwrap();
    assert!(html.contains("No labels to print"), "{html}");
    assert!(html.contains("tick the assets"), "{html}");

    let made = create(&admin, "Proving cabinet PC-1", "PC-1").await;
    let id = made["id"].as_str().unwrap();
    admin
        .post(&format!("/api/v1/admin/assets/{id}/retire"), &json!({}))
        .await;
    let only_retired = admin.get(&format!("/admin/assets/labels?ids={id}")).await;
    assert_eq!(only_retired.status(), 422);
    let html = only_retired.text().await.unwrap();
    assert!(html.contains("1 retired asset was left out"), "{html}");
    assert_eq!(
        admin
            .get(&format!("/api/v1/admin/assets/{id}/label.png"))
            .await
            .status(),
        409
    );
    let bad = admin.get("/admin/assets/labels?ids=nope").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("is not an asset id"));

    // Signed out: sent to sign in, and back to the same sheet afterwards.
    let anon = app.get(&format!("/admin/assets/labels?ids={id}")).await;
    assert_eq!(anon.status(), 303);
    let to = anon.headers()["location"].to_str().unwrap();
    assert!(
        to.starts_with("/console/sign-in?next=%2Fadmin%2Fassets%2Flabels"),
        "{to}"
    );
}
