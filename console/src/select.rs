//! The queue's keyboard: j/k (and the arrows) move the selection, Enter opens
//! the selected intake, `a` and `r` ask to approve or reject it.

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// The selection moved (or stayed at an end): show it.
    Moved(usize),
    Open(usize),
    Approve(usize),
    Reject(usize),
    /// Not a queue key, or nothing to act on: let the browser have it.
    Ignored,
}

/// The selected row of a list of `len` rows, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    pub index: Option<usize>,
    pub len: usize,
}

impl Selection {
    pub fn new(len: usize) -> Self {
        Selection { index: None, len }
    }

    /// The list changed (a refresh, "Load more"): keep the row that was
    /// selected when it is still there (`position` of its id in the new
    /// list), else the same place, clamped.
    pub fn relist(&mut self, len: usize, position: Option<usize>) {
        self.len = len;
        self.index = match (position, self.index) {
            (Some(p), _) if p < len => Some(p),
            (_, Some(_)) if len == 0 => None,
            (_, Some(i)) => Some(i.min(len - 1)),
            (_, None) => None,
        };
    }

    pub fn key(&mut self, key: &str) -> KeyAction {
        if self.len == 0 {
            return KeyAction::Ignored;
        }
        match key {
            "j" | "ArrowDown" => {
                let i = self.index.map_or(0, |i| (i + 1).min(self.len - 1));
                self.index = Some(i);
                KeyAction::Moved(i)
            }
            "k" | "ArrowUp" => {
                let i = self.index.map_or(0, |i| i.saturating_sub(1));
                self.index = Some(i);
                KeyAction::Moved(i)
            }
            "Enter" => self.index.map_or(KeyAction::Ignored, KeyAction::Open),
            "a" => self.index.map_or(KeyAction::Ignored, KeyAction::Approve),
            "r" => self.index.map_or(KeyAction::Ignored, KeyAction::Reject),
            _ => KeyAction::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn j_and_k_move_within_the_list() {
        let mut s = Selection::new(3);
        assert_eq!(s.key("Enter"), KeyAction::Ignored);
        assert_eq!(s.key("a"), KeyAction::Ignored);
        assert_eq!(s.key("j"), KeyAction::Moved(0));
        assert_eq!(s.key("j"), KeyAction::Moved(1));
        assert_eq!(s.key("ArrowDown"), KeyAction::Moved(2));
        assert_eq!(s.key("j"), KeyAction::Moved(2));
        assert_eq!(s.key("k"), KeyAction::Moved(1));
        assert_eq!(s.key("Enter"), KeyAction::Open(1));
        assert_eq!(s.key("a"), KeyAction::Approve(1));
        assert_eq!(s.key("r"), KeyAction::Reject(1));
        assert_eq!(s.key("x"), KeyAction::Ignored);
        assert_eq!(s.key("k"), KeyAction::Moved(0));
        assert_eq!(s.key("ArrowUp"), KeyAction::Moved(0));
        let mut from_none = Selection::new(2);
        assert_eq!(from_none.key("k"), KeyAction::Moved(0));
    }

    #[test]
    fn an_empty_list_ignores_every_key() {
        let mut s = Selection::new(0);
        for k in ["j", "k", "Enter", "a", "r"] {
            assert_eq!(s.key(k), KeyAction::Ignored);
        }
    }

    #[test]
    fn a_refresh_keeps_the_selected_row_or_clamps() {
        let mut s = Selection::new(5);
        s.index = Some(4);
        s.relist(6, Some(5));
        assert_eq!(s.index, Some(5));
        s.relist(3, None);
        assert_eq!(s.index, Some(2));
        s.relist(0, None);
        assert_eq!(s.index, None);
        s.relist(4, None);
        assert_eq!(s.index, None);
    }
}
