//! What the portals page shows an admin: the snippet a portal pastes, how
//! its server signs an embed token, and the Salesforce Experience Cloud
//! settings its admin needs. Pure text, tested on the host.

use fieldcase_core::embed::Portal;

/// The HTML a portal pastes where the form goes: the iframe (its token made
/// by the portal's server for each page view) and the resize helper.
pub fn snippet(fieldcase_origin: &str, portal: &Portal) -> String {
    let origin = portal.origins.first().map_or("", String::as_str);
    format!(
        "<iframe data-fieldcase\n  src=\"{fieldcase_origin}/embed/{id}?origin={origin_q}&t=EMBED_TOKEN\"\n  \
         title=\"Report a problem\" loading=\"lazy\"\n  \
         data-prefill-name=\"CUSTOMER_NAME\" data-prefill-email=\"CUSTOMER_EMAIL\"\n  \
         width=\"100%\" height=\"640\" frameborder=\"0\"></iframe>\n\
         <script src=\"{fieldcase_origin}/embed/resize.js\" async></script>",
        id = portal.id,
        origin_q = query_escape(origin),
    )
}

/// The claims the portal's server signs (HS256, with the portal's secret),
/// as a reader copies them.
pub fn token_claims(portal: &Portal) -> String {
    format!(
        "{{\n  \"iss\": \"{}\",\n  \"sub\": \"<the customer's id in the portal>\",\n  \
         \"name\": \"<the customer's name>\",\n  \"email\": \"<optional>\",\n  \
         \"account\": \"<the CRM account id or name on the assets>\",\n  \
         \"iat\": <now, seconds>,\n  \"exp\": <at most 15 minutes after iat>\n}}",
        portal.id
    )
}

/// The steps a Salesforce Experience Cloud admin takes so their site may
/// frame the form.
pub fn experience_cloud_steps(fieldcase_origin: &str) -> Vec<String> {
    vec![
        format!(
            "Setup → Trusted URLs (CSP Trusted Sites) → New: name \"fieldcase\", URL \
             {fieldcase_origin}, context \"Experience Builder sites\", and tick frame-src \
             (Allow site to be framed) and connect-src."
        ),
        "Experience Builder → Settings → Security & Privacy: set Content Security Policy to \
         \"Relaxed CSP\" if the page uses a custom HTML component, and add the trusted site above."
            .to_owned(),
        "Put the snippet in an LWC (lightning-platform: an iframe in the component's template, \
         the token from an Apex method that signs it) or in an HTML Editor component."
            .to_owned(),
        "Register every address the site is served from as an origin here (e.g. \
         https://yourcompany.my.site.com and any custom domain)."
            .to_owned(),
    ]
}

fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal() -> Portal {
        Portal {
            id: uuid::Uuid::nil(),
            name: "Support".into(),
            origins: vec!["https://portal.example.com".into()],
            enabled: true,
            created_at: "2026-11-30T00:00:00.000000Z".into(),
        }
    }

    #[test]
    fn the_snippet_names_the_portal_its_origin_and_the_helper() {
        let s = snippet("https://fieldcase.example", &portal());
        assert!(s.contains(
            "src=\"https://fieldcase.example/embed/00000000-0000-0000-0000-000000000000?\
             origin=https%3A%2F%2Fportal.example.com&t=EMBED_TOKEN\""
        ));
        assert!(s.contains("<script src=\"https://fieldcase.example/embed/resize.js\" async>"));
        assert!(s.contains("data-fieldcase"));
        assert!(
            token_claims(&portal()).contains("\"iss\": \"00000000-0000-0000-0000-000000000000\"")
        );
    }

    #[test]
    fn the_salesforce_steps_trust_fieldcase_for_frames() {
        let steps = experience_cloud_steps("https://fieldcase.example").join("\n");
        assert!(steps.contains("https://fieldcase.example"));
        assert!(steps.contains("frame-src"));
    }
}
