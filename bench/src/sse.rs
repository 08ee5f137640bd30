//! A minimal server-sent events reader: bytes in, whole events out, however
//! the stream is cut into chunks.

/// One event: its name (`message` when the server gave none) and its data
/// lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub data: String,
}

#[derive(Default)]
pub struct Parser {
    buffer: Vec<u8>,
    name: Option<String>,
    data: Option<String>,
}

impl Parser {
    /// Feed a chunk; answers the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Event> {
        self.buffer.extend_from_slice(chunk);
        let mut out = Vec::new();
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let raw: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&raw[..end]);
            let line = line.strip_suffix('\r').unwrap_or(&line);
            if line.is_empty() {
                // A blank line dispatches the event (if it had data).
                if let Some(data) = self.data.take() {
                    out.push(Event {
                        name: self.name.take().unwrap_or_else(|| "message".into()),
                        data,
                    });
                }
                self.name = None;
                continue;
            }
            if line.starts_with(':') {
                continue; // a comment: the keep-alive
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.name = Some(value.to_owned()),
                "data" => match &mut self.data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    None => self.data = Some(value.to_owned()),
                },
                _ => {} // id, retry
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_in_the_stream() {
        let stream = b": keep-alive\n\nevent: queue\ndata: {\"id\":1}\n\nevent:queue\r\ndata: a\r\ndata: b\r\n\r\ndata: plain\n\n";
        let expected = vec![
            Event {
                name: "queue".into(),
                data: "{\"id\":1}".into(),
            },
            Event {
                name: "queue".into(),
                data: "a\nb".into(),
            },
            Event {
                name: "message".into(),
                data: "plain".into(),
            },
        ];
        for cut in [1, 2, 3, 7, stream.len()] {
            let mut p = Parser::default();
            let events: Vec<Event> = stream.chunks(cut).flat_map(|c| p.push(c)).collect();
            assert_eq!(events, expected, "chunks of {cut}");
        }
    }
}
