//! Which screen a path shows. No router: the path is read once at start.

use fieldcase_core::AssetToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`: scan or type a code.
    Landing,
    /// `/a/{TOKEN}` (any case): the intake for that asset.
    Intake(AssetToken),
    /// `/a/{something that is not a token}`: shown like an inactive code.
    BadToken,
    NotFound,
}

impl Route {
    pub fn parse(path: &str) -> Route {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        if path == "/" || path.is_empty() || path == "/index.html" {
            return Route::Landing;
        }
        let rest = path
            .strip_prefix("/a/")
            .or_else(|| path.strip_prefix("/A/"));
        match rest {
            Some(t) if !t.contains('/') => {
                AssetToken::parse(t).map_or(Route::BadToken, Route::Intake)
            }
            _ => Route::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_screens() {
        let t = "ABCDEFGHIJKLMNOPQRST";
        assert_eq!(Route::parse("/"), Route::Landing);
        assert_eq!(Route::parse(""), Route::Landing);
        assert_eq!(
            Route::parse(&format!("/a/{t}")),
            Route::Intake(AssetToken::parse(t).unwrap())
        );
        assert_eq!(
            Route::parse(&format!("/A/{}/", t.to_lowercase())),
            Route::Intake(AssetToken::parse(t).unwrap())
        );
        assert_eq!(Route::parse("/a/short"), Route::BadToken);
        assert_eq!(Route::parse("/a/ABCDEFGHIJKLMNOPQRST/x"), Route::NotFound);
        assert_eq!(Route::parse("/admin"), Route::NotFound);
    }
}
