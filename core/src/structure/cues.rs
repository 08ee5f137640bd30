//! The cue lists: every word or phrase the structurer reacts to, and what it
//! does. Patterns are lower-case words separated by single spaces (matched
//! against normalised words, see `lex`); a trailing `*` makes a word a prefix
//! (`leak*` matches `leak`, `leaks`, `leaking`, `leakin`). At each word the
//! longest matching pattern wins, so `trip hazard` beats `trip*` and
//! `no power` beats the negator `no`.

/// Case type picklist values, in the schema's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Mechanical,
    Electrical,
    Electronic,
    Structural,
}

impl Ty {
    pub const ALL: [Ty; 4] = [
        Ty::Mechanical,
        Ty::Electrical,
        Ty::Electronic,
        Ty::Structural,
    ];
    pub fn value(self) -> &'static str {
        match self {
            Ty::Mechanical => "Mechanical",
            Ty::Electrical => "Electrical",
            Ty::Electronic => "Electronic",
            Ty::Structural => "Structural",
        }
    }
}

/// Case reason picklist values (all but `Other`, the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Re {
    Installation,
    Complexity,
    Performance,
    Breakdown,
    Design,
    Feedback,
}

impl Re {
    pub const ALL: [Re; 6] = [
        Re::Installation,
        Re::Complexity,
        Re::Performance,
        Re::Breakdown,
        Re::Design,
        Re::Feedback,
    ];
    pub fn value(self) -> &'static str {
        match self {
            Re::Installation => "Installation",
            Re::Complexity => "Equipment Complexity",
            Re::Performance => "Performance",
            Re::Breakdown => "Breakdown",
            Re::Design => "Equipment Design",
            Re::Feedback => "Feedback",
        }
    }
}

/// What a cue does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fx {
    /// Priority High.
    High,
    /// Priority Low.
    Low,
    /// The equipment is not running ("down", "u/s", "won't start"): High on
    /// critical equipment, otherwise no priority cue.
    Down,
    /// The equipment (or the situation) is critical: production, whole site, no standby.
    Crit,
    /// Safety hazard.
    Hazard,
    /// Water where it should not be: a hazard only when electrics are mentioned too.
    Flood,
    /// Mentions electrics (for `Flood`), without saying what type of fault it is.
    Electrics,
    /// Negates the cue words that follow it (see `analyse`).
    Neg,
    /// Makes its clause uncertain.
    Unsure,
    /// Soft low urgency: routine or planned work, feedback, admin, a user
    /// shown how to operate it — Low when nothing is left outstanding.
    Calm,
    /// The fault was put right on the visit ("working now", "sorted") — Low
    /// when nothing is left outstanding.
    Done,
    /// Something is still outstanding: parts ordered, a return visit, a
    /// condition contained until repaired. Keeps `Calm`/`Done` from lowering.
    Pending,
    /// The condition is contained but still there ("isolated", "taped off",
    /// "out of use"): a hazard stays a hazard. Also `Pending`.
    Contained,
    /// Redundancy: another unit is carrying the load, so "down" is no emergency.
    Redundant,
    /// A minor item (one socket, one light fitting, a spur): an isolated hazard
    /// on it is Medium, not High.
    Minor,
    /// Something that should close or release does not ("won't close", "stays open").
    Open,
    /// A fire or smoke barrier (fire door, smoke vent, damper): with `Open`, a hazard.
    FireStop,
    /// When: "today", "hoy" — urgency only beside a request (`Ask`):
    /// "need it today", not "installed today".
    When,
    /// A request or need: "need", "wants", "asking for", "pls".
    Ask,
    /// The problem comes back ("again", "keeps", "still"): outstanding when
    /// said after the fix.
    Recur,
    /// Votes for a case type, with a weight.
    T(Ty, u8),
    /// Votes for a case reason, with a weight.
    R(Re, u8),
}

#[derive(Debug)]
pub(super) struct Cue {
    pub pat: &'static str,
    pub fx: &'static [Fx],
    /// Index into `RULES`: context the cue needs (0 = none).
    rule: u8,
}

/// Context a few cues check, and what they do when negated.
#[derive(Debug)]
pub(super) struct Rule {
    /// When non-empty, the word before must be one of these.
    pub before: &'static [&'static str],
    /// The word before must not be one of these.
    pub not_before: &'static [&'static str],
    /// The word after must not be one of these (`#` = a number).
    pub not_after: &'static [&'static str],
    /// What the cue does when it is negated ("not urgent" → Low).
    pub neg_fx: &'static [Fx],
}

const fn c(pat: &'static str, fx: &'static [Fx]) -> Cue {
    Cue { pat, fx, rule: 0 }
}

impl Cue {
    const fn rule(mut self, rule: u8) -> Self {
        self.rule = rule;
        self
    }

    pub fn rules(&self) -> &'static Rule {
        &RULES[self.rule as usize]
    }

    pub fn has(&self, f: Fx) -> bool {
        self.fx.contains(&f)
    }

    /// Only says where the job stands (fixed, outstanding, contained,
    /// routine): never negated.
    pub fn is_status(&self) -> bool {
        !self.fx.is_empty()
            && self.fx.iter().all(|f| {
                matches!(
                    f,
                    Fx::Done
                        | Fx::Pending
                        | Fx::Contained
                        | Fx::Calm
                        | Fx::Ask
                        | Fx::When
                        | Fx::Recur
                        | Fx::Redundant
                )
            })
    }

    /// A phrase that starts with a negator and means something positive:
    /// "no power", "not running", "won't start", "not urgent".
    pub fn self_negating(&self) -> bool {
        match self.pat.split_once(' ') {
            Some((first, _)) => NEGATOR_WORDS.contains(&first),
            None => false,
        }
    }
}

/// Words that start a self-negating phrase.
const NEGATOR_WORDS: &[&str] = &[
    "no", "not", "non", "without", "never", "wont", "cant", "doesnt", "didnt", "isnt", "wasnt",
    "dont", "cannot", "nothing", "none", "nobody",
];

const H: Fx = Fx::High;
const LOW: Fx = Fx::Low;
const DOWN: Fx = Fx::Down;
const CRIT: Fx = Fx::Crit;
const HAZ: Fx = Fx::Hazard;
const FLOOD: Fx = Fx::Flood;
const ELX: Fx = Fx::Electrics;
const NEG: Fx = Fx::Neg;
const ASK: Fx = Fx::Ask;
const CALM: Fx = Fx::Calm;
const DONE: Fx = Fx::Done;
const PEND: Fx = Fx::Pending;
const CONT: Fx = Fx::Contained;
const RED: Fx = Fx::Redundant;
const MINOR: Fx = Fx::Minor;
const OPEN: Fx = Fx::Open;
const FSTOP: Fx = Fx::FireStop;
const UNS: Fx = Fx::Unsure;
const ME1: Fx = Fx::T(Ty::Mechanical, 1);
const ME2: Fx = Fx::T(Ty::Mechanical, 2);
const EL1: Fx = Fx::T(Ty::Electrical, 1);
const EL2: Fx = Fx::T(Ty::Electrical, 2);
const EN1: Fx = Fx::T(Ty::Electronic, 1);
const EN2: Fx = Fx::T(Ty::Electronic, 2);
const ST1: Fx = Fx::T(Ty::Structural, 1);
const ST2: Fx = Fx::T(Ty::Structural, 2);
const INS: Fx = Fx::R(Re::Installation, 2);
const CPX1: Fx = Fx::R(Re::Complexity, 1);
const CPX: Fx = Fx::R(Re::Complexity, 2);
const PERF1: Fx = Fx::R(Re::Performance, 1);
const PERF2: Fx = Fx::R(Re::Performance, 2);
const BRK1: Fx = Fx::R(Re::Breakdown, 1);
const BRK2: Fx = Fx::R(Re::Breakdown, 2);
const DES1: Fx = Fx::R(Re::Design, 1);
const DES2: Fx = Fx::R(Re::Design, 2);
const DES3: Fx = Fx::R(Re::Design, 3);
const FB1: Fx = Fx::R(Re::Feedback, 1);
const FB2: Fx = Fx::R(Re::Feedback, 2);

const SMOKE_NOT: &[&str] = &[
    "detector",
    "detectors",
    "alarm",
    "alarms",
    "head",
    "heads",
    "test",
    "testing",
    "damper",
    "dampers",
    "sensor",
    "sensors",
    "vent",
    "vents",
    "extract",
    "to",
];
const SPARK_NOT: &[&str] = &[
    "plug",
    "plugs",
    "ignition",
    "igniter",
    "ignitor",
    "electrode",
    "electrodes",
    "gap",
    "generator",
    "arrestor",
];
const FIRE_NOT_BEFORE: &[&str] = &[
    "wont", "didnt", "doesnt", "to", "cant", "cannot", "will", "would", "wouldnt", "fails",
    "failed", "failing", "not",
];
const FIRE_NOT_AFTER: &[&str] = &[
    "alarm",
    "alarms",
    "door",
    "doors",
    "panel",
    "extinguisher",
    "extinguishers",
    "exit",
    "exits",
    "damper",
    "dampers",
    "pump",
    "rated",
    "rating",
    "safety",
    "up",
    "escape",
    "sprinkler",
    "sprinklers",
    "drill",
    "stopping",
    "stop",
    "marshal",
    "assessment",
    "detection",
    "suppression",
    "blanket",
    "valve",
    "tube",
    "box",
    "side",
    "main",
    "hydrant",
];
const FLOOD_NOT: &[&str] = &["light", "lights", "lamp", "lamps", "lit", "lighting"];
const EMERGENCY_NOT: &[&str] = &[
    "stop", "stops", "lighting", "light", "lights", "button", "shower", "exit", "exits",
];
const STOPPED_NOT_BEFORE: &[&str] = &[
    "i", "we", "ive", "weve", "tech", "had", "have", "has", "been",
];
const STOPPED_NOT_AFTER: &[&str] = &[
    "leak*", "trip*", "drip*", "vibrat*", "nois*", "making", "the", "it", "him", "her", "them",
];
const DEAD_NOT: &[&str] = &[
    "short", "band", "leg", "end", "weight", "centre", "center", "spot", "head", "zone",
];
const DOWN_BEFORE: &[&str] = &[
    "is",
    "was",
    "its",
    "been",
    "line",
    "system",
    "site",
    "plant",
    "production",
    "completely",
    "totally",
    "fully",
    "all",
    "still",
    "currently",
    "now",
    "unit",
    "machine",
    "pump",
    "chiller",
    "boiler",
    "lift",
    "conveyor",
    "compressor",
    "fan",
    "motor",
    "server",
    "network",
    "comms",
    "plc",
    "hmi",
    "controller",
    "freezer",
    "generator",
    "elevator",
    "escalator",
    "again",
    "are",
    "were",
    "remains",
];
const DOWN_NOT: &[&str] = &[
    "to", "by", "from", "the", "a", "stairs", "below", "into", "under", "there", "here", "low",
    "in", "on", "#",
];
const LOCKOUT_NOT_BEFORE: &[&str] = &["and", "i", "we", "isolated", "ive", "weve", "been"];

static RULES: &[Rule] = &[
    // 0: none
    Rule {
        before: &[],
        not_before: &[],
        not_after: &[],
        neg_fx: &[],
    },
    // 1
    Rule {
        before: &[],
        not_before: &[],
        not_after: SMOKE_NOT,
        neg_fx: &[],
    },
    // 2
    Rule {
        before: &[],
        not_before: &[],
        not_after: SPARK_NOT,
        neg_fx: &[],
    },
    // 3
    Rule {
        before: &[],
        not_before: FIRE_NOT_BEFORE,
        not_after: FIRE_NOT_AFTER,
        neg_fx: &[],
    },
    // 4
    Rule {
        before: &[],
        not_before: &[],
        not_after: &["hours", "fuel", "oil", "gas"],
        neg_fx: &[],
    },
    // 5
    Rule {
        before: &[],
        not_before: &[],
        not_after: FLOOD_NOT,
        neg_fx: &[],
    },
    // 6
    Rule {
        before: &[],
        not_before: &[],
        not_after: &[],
        neg_fx: &[LOW],
    },
    // 7
    Rule {
        before: &[],
        not_before: &[],
        not_after: EMERGENCY_NOT,
        neg_fx: &[LOW],
    },
    // 8
    Rule {
        before: &[],
        not_before: STOPPED_NOT_BEFORE,
        not_after: STOPPED_NOT_AFTER,
        neg_fx: &[],
    },
    // 9
    Rule {
        before: &[],
        not_before: &[],
        not_after: DEAD_NOT,
        neg_fx: &[],
    },
    // 10
    Rule {
        before: DOWN_BEFORE,
        not_before: &[],
        not_after: DOWN_NOT,
        neg_fx: &[],
    },
    // 11
    Rule {
        before: &[],
        not_before: LOCKOUT_NOT_BEFORE,
        not_after: &[],
        neg_fx: &[],
    },
    // 12
    Rule {
        before: &[],
        not_before: &["the", "a", "fuse"],
        not_after: &[],
        neg_fx: &[],
    },
    // 13: "today" as urgency, not as when it happened ("tripped twice today")
    Rule {
        before: &[],
        not_before: TODAY_NOT_BEFORE,
        not_after: &[],
        neg_fx: &[],
    },
    // 15: "closed" as a consequence (the aisle, the pool, the stair), not a valve or door
    Rule {
        before: &[],
        not_before: CLOSED_NOT_BEFORE,
        not_after: &[],
        neg_fx: &[],
    },
    // 14: "gas leak" is not the F-gas leak check
    Rule {
        before: &[],
        not_before: &["f"],
        not_after: &[
            "check",
            "checks",
            "test",
            "testing",
            "detector",
            "detection",
        ],
        neg_fx: &[],
    },
];
const CLOSED_NOT_BEFORE: &[&str] = &[
    "valve", "valves", "door", "doors", "stuck", "damper", "dampers", "shut", "lid", "gate",
    "gates", "shutter", "loop", "circuit", "contact", "contacts", "fully", "normally", "nc", "it",
    "them", "was", "is", "shutters", "window", "windows", "hatch", "job", "call", "ticket",
];
const TODAY_NOT_BEFORE: &[&str] = &[
    "x2", "x3", "twice", "once", "times", "earlier", "for", "happened", "again", "started",
    "since", "morning", "already",
];

/// Every cue. Order matters only between patterns of the same length that
/// both match (the first wins).
const CUE_LIST: &[Cue] = &[
    // ── Negators: negate the cue words that follow (see `analyse`).
    c("no", &[NEG]),
    c("not", &[NEG]),
    c("without", &[NEG]),
    c("never", &[NEG]),
    c("none", &[NEG]),
    c("nothing", &[NEG]),
    c("nobody", &[NEG]),
    c("noone", &[NEG]),
    c("neither", &[NEG]),
    c("nor", &[NEG]),
    c("nil", &[NEG]),
    c("isnt", &[NEG]),
    c("wasnt", &[NEG]),
    c("arent", &[NEG]),
    c("werent", &[NEG]),
    c("doesnt", &[NEG]),
    c("didnt", &[NEG]),
    c("dont", &[NEG]),
    c("cant", &[NEG]),
    c("cannot", &[NEG]),
    c("couldnt", &[NEG]),
    c("wont", &[NEG]),
    c("wouldnt", &[NEG]),
    c("hasnt", &[NEG]),
    c("havent", &[NEG]),
    c("hadnt", &[NEG]),
    c("shouldnt", &[NEG]),
    c("aint", &[NEG]),
    c("no sign of", &[NEG]),
    c("no signs of", &[NEG]),
    c("no evidence of", &[NEG]),
    c("no trace of", &[NEG]),
    c("no traces of", &[NEG]),
    c("ruled out", &[NEG]),
    c("no longer", &[NEG]),
    c("absence of", &[NEG]),
    c("free of", &[NEG]),
    c("free from", &[NEG]),
    // ── Uncertainty: marks its clause uncertain.
    c("maybe", &[UNS]),
    c("mayb", &[UNS]),
    c("might", &[UNS]),
    c("possibly", &[UNS]),
    c("possible", &[UNS]),
    c("perhaps", &[UNS]),
    c("probably", &[UNS]),
    c("suspect", &[UNS]),
    c("suspected", &[UNS]),
    c("suspect*", &[UNS]),
    c("not sure", &[UNS]),
    c("unsure", &[UNS]),
    c("not certain", &[UNS]),
    c("uncertain", &[UNS]),
    c("unclear", &[UNS]),
    c("could be", &[UNS]),
    c("could", &[UNS]),
    c("couldve", &[UNS]),
    c("mightve", &[UNS]),
    c("may be", &[UNS]),
    c("think", &[UNS]),
    c("guess", &[UNS]),
    c("unconfirmed", &[UNS]),
    c("query", &[UNS]),
    c("presumably", &[UNS]),
    c("assume*", &[UNS]),
    // ── Fire, smoke, sparks.
    c("smoke", &[H, HAZ, BRK1]).rule(1),
    c("smoking", &[H, HAZ, BRK1]),
    c("smoky", &[H, HAZ, BRK1]),
    c("smokey", &[H, HAZ, BRK1]),
    c("spark", &[H, HAZ, EL1, BRK1]).rule(2),
    c("sparks", &[H, HAZ, EL1, BRK1]).rule(2),
    c("sparking", &[H, HAZ, EL1, BRK1]),
    c("sparked", &[H, HAZ, EL1, BRK1]),
    c("sparkin", &[H, HAZ, EL1, BRK1]),
    c("arcing", &[H, HAZ, EL2, BRK1]),
    c("arc flash", &[H, HAZ, EL2]),
    c("flashover", &[H, HAZ, EL2]),
    c("fire", &[H, HAZ, BRK1]).rule(3),
    c("fires", &[H, HAZ, BRK1]).rule(3),
    c("on fire", &[H, HAZ, BRK1]),
    c("caught fire", &[H, HAZ, BRK1]),
    c("flames", &[H, HAZ, BRK1]),
    c("naked flame", &[HAZ]),
    c("open flame", &[HAZ]),
    c("no flame", &[BRK1]),
    c("flame failure", &[BRK2]),
    c("flame fail", &[BRK2]),
    c("ignition failure", &[BRK2]),
    c("no ignition", &[DOWN, BRK2]),
    c("burning", &[H, HAZ, BRK1]).rule(4),
    c("burnt smell", &[H, HAZ, BRK1]),
    c("burned smell", &[H, HAZ, BRK1]),
    c("burnt out", &[DOWN, BRK2, EL1]),
    c("burned out", &[DOWN, BRK2, EL1]),
    c("burnt", &[BRK1]),
    c("burned", &[BRK1]),
    c("scorch*", &[HAZ, BRK1, EL1]),
    c("melted", &[H, HAZ, BRK1]),
    c("melting", &[H, HAZ, BRK1]),
    // ── Water.
    c("flood", &[H, FLOOD, ME1]).rule(5),
    c("floods", &[H, FLOOD, ME1]).rule(5),
    c("flooded", &[H, FLOOD, ME1]),
    c("flooding", &[H, FLOOD, ME1]),
    c("water ingress", &[FLOOD]),
    c("water in", &[FLOOD]),
    c("water inside", &[FLOOD]),
    c("water getting in", &[FLOOD]),
    c("water leak*", &[FLOOD, ME2, BRK1]),
    c("leaking water", &[FLOOD, ME2, BRK1]),
    c("water dripping", &[FLOOD, ME1, BRK1]),
    c("water pouring", &[FLOOD, ME1, BRK1]),
    c("water coming", &[FLOOD, ME1, BRK1]),
    // ── Loss of service.
    c("no heat", &[H, BRK2]),
    c("no heating", &[H, BRK2]),
    c("no hot water", &[H, BRK2]),
    c("no power", &[DOWN, EL2, BRK2]),
    c("lost power", &[DOWN, EL2, BRK2]),
    c("loss of power", &[DOWN, EL2, BRK2]),
    c("power cut", &[DOWN, EL2, BRK2]),
    c("power outage", &[DOWN, EL2, BRK2]),
    c("power failure", &[DOWN, EL2, BRK2]),
    c("power loss", &[DOWN, EL2, BRK2]),
    c("no supply", &[DOWN, EL2, BRK2]),
    c("no electricity", &[DOWN, EL2, BRK2]),
    // ── Gas, injury, people.
    c("gas smell", &[H, HAZ]),
    c("smell of gas", &[H, HAZ]),
    c("smell gas", &[H, HAZ]),
    c("smelt gas", &[H, HAZ]),
    c("smells of gas", &[H, HAZ]),
    c("smelling gas", &[H, HAZ]),
    c("smelling of gas", &[H, HAZ]),
    c("gas leak", &[H, HAZ]).rule(14),
    c("gas leaking", &[H, HAZ]).rule(14),
    c("leaking gas", &[H, HAZ]),
    c("gas escape", &[H, HAZ]),
    c("gas escaping", &[H, HAZ]),
    c("gas odour", &[H, HAZ]),
    c("gas odor", &[H, HAZ]),
    c("carbon monoxide", &[H, HAZ]),
    c("co alarm", &[H, HAZ]),
    c("injur*", &[H, HAZ]),
    c("hurt", &[H, HAZ]),
    c("first aid", &[H, HAZ]),
    c("ambulance", &[H, HAZ]),
    c("electric shock", &[H, HAZ, EL1]),
    c("electrical shock", &[H, HAZ, EL1]),
    c("got a shock", &[H, HAZ, EL1]),
    c("electrocut*", &[H, HAZ, EL1]),
    c("trapped", &[H, HAZ]),
    c("entrapment", &[H, HAZ]),
    // ── Urgency.
    c("urgent", &[H]).rule(6),
    c("urgently", &[H]).rule(6),
    c("asap", &[H]),
    c("as soon as possible", &[H]),
    c("emergency", &[H]).rule(7),
    c("critical", &[H, CRIT]).rule(6),
    c("immediately", &[H]),
    c("high priority", &[H]),
    c("top priority", &[H]),
    c("priority 1", &[H]),
    c("p1", &[H]),
    c("same day", &[H]),
    c("out today", &[H]),
    c("today please", &[H]),
    c("at risk", &[H]),
    // ── Hazards.
    c("danger", &[H, HAZ]),
    c("dangerous", &[H, HAZ]),
    c("unsafe", &[H, HAZ]),
    c("not safe", &[H, HAZ]),
    c("hazard", &[HAZ]),
    c("hazards", &[HAZ]),
    c("hazardous", &[HAZ]),
    c("safety issue", &[HAZ]),
    c("safety concern", &[HAZ]),
    c("safety risk", &[HAZ]),
    c("safety hazard", &[HAZ]),
    c("exposed wir*", &[H, HAZ, EL2]),
    c("exposed live wir*", &[H, HAZ, EL2]),
    c("exposed live cabl*", &[H, HAZ, EL2]),
    c("exposed cabl*", &[H, HAZ, EL2]),
    c("exposed live", &[H, HAZ, EL2]),
    c("exposed conductor*", &[H, HAZ, EL2]),
    c("exposed terminal*", &[H, HAZ, EL2]),
    c("exposed copper", &[H, HAZ, EL2]),
    c("live wir*", &[H, HAZ, EL2]),
    c("live cabl*", &[H, HAZ, EL2]),
    c("live parts", &[H, HAZ, EL2]),
    c("live terminal*", &[H, HAZ, EL2]),
    c("bare wir*", &[H, HAZ, EL2]),
    c("bare cabl*", &[H, HAZ, EL2]),
    c("wires exposed", &[H, HAZ, EL2]),
    c("wire exposed", &[H, HAZ, EL2]),
    c("wiring exposed", &[H, HAZ, EL2]),
    c("cables exposed", &[H, HAZ, EL2]),
    c("cable exposed", &[H, HAZ, EL2]),
    c("trip hazard", &[HAZ]),
    c("tripping hazard", &[HAZ]),
    c("slip hazard", &[HAZ]),
    c("slip risk", &[HAZ]),
    c("slippery", &[HAZ]),
    c("risk of fall*", &[H, HAZ]),
    c("danger of fall*", &[H, HAZ]),
    c("fall hazard", &[H, HAZ]),
    c("falling objects", &[H, HAZ]),
    c("falling debris", &[H, HAZ]),
    c("could fall", &[H, HAZ]),
    c("might fall", &[H, HAZ]),
    c("may fall", &[H, HAZ]),
    c("about to fall", &[H, HAZ]),
    c("fall from height", &[H, HAZ]),
    c("risk of collapse", &[H, HAZ, ST2]),
    c("collaps*", &[H, HAZ, ST2]),
    c("guard missing", &[HAZ]),
    c("missing guard", &[HAZ]),
    c("guard removed", &[HAZ]),
    c("guard off", &[HAZ]),
    c("no guard", &[HAZ]),
    c("unguarded", &[HAZ]),
    c("asbestos", &[HAZ]),
    c("sharp edge*", &[HAZ]),
    // Isolation is the technician making it safe, not a hazard.
    c("locked out and tagged", &[]),
    c("lock out tag out", &[]),
    c("loto", &[]),
    c("tagged out", &[]),
    // ── Low priority.
    c("no rush", &[LOW]),
    c("no hurry", &[LOW]),
    c("not urgent", &[LOW]),
    c("non urgent", &[LOW]),
    c("nonurgent", &[LOW]),
    c("nothing urgent", &[LOW]),
    c("low priority", &[LOW]),
    c("not a priority", &[LOW]),
    c("when you get a chance", &[LOW]),
    c("when you get chance", &[LOW]),
    c("when you get the chance", &[LOW]),
    c("when you have a chance", &[LOW]),
    c("when convenient", &[LOW]),
    c("at your convenience", &[LOW]),
    c("whenever", &[LOW]),
    c("cosmetic*", &[LOW]),
    c("next visit", &[LOW]),
    c("next service", &[LOW]),
    c("next pm", &[LOW]),
    c("next ppm", &[LOW]),
    c("next shutdown", &[LOW]),
    c("next scheduled", &[LOW]),
    c("next routine", &[LOW]),
    c("next maintenance", &[LOW]),
    c("no action needed", &[LOW]),
    c("no action required", &[LOW]),
    c("no further action", &[LOW]),
    c("not a fault", &[CALM]),
    c("no fault found", &[LOW]),
    c("nff", &[LOW]),
    c("for the record", &[LOW]),
    c("fyi", &[LOW]),
    c("for info", &[LOW]),
    c("minor", &[LOW]),
    c("can wait", &[LOW]),
    c("happy to wait", &[LOW]),
    c("keep an eye on", &[LOW]),
    // ── Not running (Breakdown; High on critical equipment).
    c("not running", &[DOWN, BRK2]),
    c("not working", &[DOWN, BRK2]),
    c("not turning", &[DOWN, BRK2]),
    c("not pumping", &[DOWN, BRK2]),
    c("not moving", &[DOWN, BRK2]),
    c("doesnt move", &[DOWN, BRK2]),
    c("wont move", &[DOWN, BRK2]),
    c("stopped working", &[DOWN, BRK2]),
    c("stopped running", &[DOWN, BRK2]),
    c("stopped pumping", &[DOWN, BRK2]),
    c("stopped", &[DOWN, BRK2]).rule(8),
    c("wont start", &[DOWN, BRK2]),
    c("wont run", &[DOWN, BRK2]),
    c("wont turn on", &[DOWN, BRK2]),
    c("wont power up", &[DOWN, BRK2]),
    c("wont fire", &[DOWN, BRK2]),
    c("wont restart", &[DOWN, BRK2]),
    c("wont work", &[DOWN, BRK2]),
    c("not starting", &[DOWN, BRK2]),
    c("not firing", &[DOWN, BRK2]),
    c("doesnt start", &[DOWN, BRK2]),
    c("didnt start", &[DOWN, BRK2]),
    c("cant start", &[DOWN, BRK2]),
    c("will not start", &[DOWN, BRK2]),
    c("does not start", &[DOWN, BRK2]),
    c("did not start", &[DOWN, BRK2]),
    c("fails to start", &[DOWN, BRK2]),
    c("failed to start", &[DOWN, BRK2]),
    c("fail to start", &[DOWN, BRK2]),
    c("dead", &[DOWN, BRK2]).rule(9),
    c("dead short", &[EL2, BRK1]),
    c("u/s", &[DOWN, BRK2]),
    c("o/s", &[DOWN, BRK2]),
    c("out of service", &[DOWN, BRK2]),
    c("out of action", &[DOWN, BRK2]),
    c("out of order", &[DOWN, BRK2]),
    c("offline", &[DOWN, BRK1]),
    c("on bypass", &[DOWN, BRK2]),
    c("unserviceable", &[DOWN, BRK2]),
    c("inoperable", &[DOWN, BRK2]),
    c("inoperative", &[DOWN, BRK2]),
    c("down", &[DOWN, BRK2]).rule(10),
    c("broke down", &[DOWN, BRK2]),
    c("broken down", &[DOWN, BRK2]),
    c("breakdown", &[DOWN, BRK2]),
    c("b/down", &[DOWN, BRK2]),
    c("line down", &[H, DOWN, BRK2, CRIT]),
    c("line stopped", &[H, DOWN, BRK2, CRIT]),
    c("production stopped", &[H, DOWN, BRK2, CRIT]),
    c("production down", &[H, DOWN, BRK2, CRIT]),
    c("production halted", &[H, DOWN, BRK2, CRIT]),
    c("seized", &[DOWN, BRK2, ME2]),
    c("seized up", &[DOWN, BRK2, ME2]),
    c("locked out", &[DOWN, BRK2]).rule(11),
    c("lockout", &[DOWN, BRK2]),
    c("lock out", &[DOWN, BRK2]).rule(11),
    // ── Failed parts (Breakdown).
    c("broken", &[BRK2]),
    c("broke", &[BRK1]),
    c("failed", &[BRK2]),
    c("failure", &[BRK1]),
    c("fail", &[BRK1]),
    c("faulty", &[BRK1]),
    c("defective", &[BRK1]),
    c("blown", &[BRK2]),
    c("blew", &[BRK1]),
    c("snapped", &[BRK1]),
    c("sheared", &[BRK1, ST1]),
    c("burst", &[BRK2, ME1]),
    c("swollen", &[HAZ, BRK1]),
    c("bulging", &[HAZ, BRK1]),
    c("stuck", &[BRK1]),
    c("jammed", &[BRK1, ME1]),
    c("frozen", &[BRK1]),
    c("not responding", &[BRK1, EN1]),
    c("unresponsive", &[BRK1, EN1]),
    c("no comms", &[EN2, BRK1]),
    c("comms loss", &[EN2, BRK1]),
    c("comms lost", &[EN2, BRK1]),
    c("comms fault", &[EN2, BRK1]),
    c("comms failure", &[EN2, BRK1]),
    c("lost comms", &[EN2, BRK1]),
    c("loss of comms", &[EN2, BRK1]),
    c("no communication", &[EN2, BRK1]),
    c("no display", &[EN2, BRK1]),
    c("display blank", &[EN2, BRK1]),
    c("blank display", &[EN2, BRK1]),
    c("blank screen", &[EN2, BRK1]),
    c("screen blank", &[EN2, BRK1]),
    c("nothing on display", &[EN2, BRK1]),
    c("no output", &[BRK1]),
    c("no flow", &[BRK1, ME1]),
    c("no pressure", &[PERF2, ME1]),
    c("no water pressure", &[PERF2, ME1]),
    c("not cooling", &[PERF2]),
    c("not heating", &[PERF2]),
    c("not holding", &[PERF1]),
    // ── Critical context.
    c("production", &[CRIT]),
    c("prod", &[CRIT]),
    c("whole line", &[CRIT]),
    c("whole site", &[CRIT]),
    c("whole building", &[CRIT]),
    c("whole plant", &[CRIT]),
    c("entire site", &[CRIT]),
    c("entire building", &[CRIT]),
    c("entire plant", &[CRIT]),
    c("all floors", &[CRIT]),
    c("no backup", &[CRIT]),
    c("no standby", &[CRIT]),
    c("standby also", &[CRIT]),
    c("both pumps", &[CRIT]),
    // ── Electrical.
    c("breaker", &[EL2]),
    c("breakers", &[EL2]),
    c("mcb*", &[EL2]),
    c("rcd*", &[EL2]),
    c("rcbo*", &[EL2]),
    c("elcb", &[EL2]),
    c("trip*", &[EL2, BRK2]),
    c("wiring", &[EL2]),
    c("wire", &[EL1]),
    c("wires", &[EL1]),
    c("rewir*", &[EL2]),
    c("cable", &[EL1]),
    c("cables", &[EL1]),
    c("cabling", &[EL1]),
    c("fuse", &[EL2]),
    c("fuses", &[EL2]),
    c("short circuit*", &[EL2, BRK1]),
    c("shorted", &[EL2, BRK1]),
    c("shorting", &[EL2, BRK1]),
    c("short to earth", &[EL2, BRK1]),
    c("short to ground", &[EL2, BRK1]),
    c("earth fault", &[EL2, BRK1]),
    c("ground fault", &[EL2, BRK1]),
    c("voltage", &[EL2]),
    c("volts", &[EL1]),
    c("contactor", &[EL2]),
    c("contactors", &[EL2]),
    c("motor winding*", &[EL2]),
    c("winding", &[EL2]),
    c("windings", &[EL2]),
    c("megger*", &[EL1]),
    c("insulation resistance", &[EL2]),
    c("insulation", &[EL1]),
    c("single phas*", &[EL2]),
    c("phase loss", &[EL2, BRK1]),
    c("phase failure", &[EL2, BRK1]),
    c("lost a phase", &[EL2, BRK1]),
    c("missing phase", &[EL2, BRK1]),
    c("phase imbalance", &[EL2]),
    c("overload", &[EL1]),
    c("overloads", &[EL1]),
    c("terminal", &[EL1]),
    c("terminals", &[EL1]),
    c("isolator", &[EL1]),
    c("electrical", &[EL1, ELX]),
    c("electrics", &[EL1, ELX]),
    c("socket*", &[MINOR, EL1, ELX]),
    c("junction box", &[EL1, ELX]),
    c("distribution board", &[EL2, ELX]),
    c("fuse board", &[EL2, ELX]),
    c("consumer unit", &[EL2, ELX]),
    c("mcc", &[EL2, ELX]),
    c("switchgear", &[EL2, ELX]),
    c("switchboard*", &[EL2, ELX]),
    c("panel", &[ELX]),
    c("relay", &[EL1]),
    c("relays", &[EL1]),
    c("amps", &[EL1]),
    c("current draw", &[EL1]),
    c("overcurrent", &[EL2]),
    c("over current", &[EL2]),
    c("fla", &[EL1]),
    c("earth", &[EL1]),
    c("earthed", &[EL1]),
    c("earthing", &[EL1]),
    c("bonding", &[EL1]),
    c("starter", &[EL1]),
    c("capacitor", &[EL1]),
    c("hums", &[EL1]),
    c("humming", &[EL1]),
    c("neutral", &[EL2]),
    c("loose connection*", &[EL2]),
    c("flicker*", &[EL1, PERF1]),
    c("battery", &[EL1]),
    c("batteries", &[EL1]),
    // ── Mechanical.
    c("bearing", &[ME2]),
    c("bearings", &[ME2]),
    c("belt", &[ME2]),
    c("belts", &[ME2]),
    c("vibrat*", &[ME2, PERF1]),
    c("leak*", &[ME2, BRK1]),
    c("drip*", &[FLOOD, ME1, BRK1]),
    c("weep*", &[ME1, BRK1]),
    c("pooling", &[ME1, BRK1]),
    c("puddle*", &[ME1, BRK1]),
    c("seal", &[ME1]),
    c("seals", &[ME1]),
    c("mechanical seal", &[ME2]),
    c("gasket*", &[ME1]),
    c("oring", &[ME1]),
    c("gearbox*", &[ME2]),
    c("gear box", &[ME2]),
    c("gears", &[ME2]),
    c("gear", &[ME1]),
    c("nois*", &[ME1, PERF1]),
    c("grinding", &[ME2, PERF1]),
    c("squeal*", &[ME1, PERF1]),
    c("squeak*", &[ME1, PERF1]),
    c("knock*", &[ME1, PERF1]),
    c("rattl*", &[ME1, PERF1]),
    c("clunk*", &[ME1, PERF1]),
    c("screech*", &[ME1, PERF1]),
    c("whining", &[ME1, PERF1]),
    c("pressure", &[ME1]),
    c("valve", &[ME1]),
    c("valves", &[ME1]),
    c("shaft", &[ME2]),
    c("shafts", &[ME2]),
    c("impeller*", &[ME2]),
    c("coupling*", &[ME2]),
    c("misalign*", &[ME2, PERF1]),
    c("alignment", &[ME1]),
    c("lubric*", &[ME1]),
    c("grease", &[ME1]),
    c("greasing", &[ME1]),
    c("oil", &[ME1]),
    c("cavitat*", &[ME2, PERF1]),
    c("worn", &[ME1]),
    c("chain", &[ME1]),
    c("sprocket*", &[ME1]),
    c("roller*", &[ME1]),
    c("pulley*", &[ME1]),
    c("drum", &[ME1]),
    c("filter*", &[ME1]),
    c("blocked", &[ME1, PERF1]),
    c("blockage", &[ME1, PERF1]),
    c("clogged", &[ME1, PERF1]),
    c("hydraulic*", &[ME1]),
    c("pneumatic*", &[ME1]),
    c("piston*", &[ME1]),
    c("float", &[ME1]),
    c("float switch*", &[ME2]),
    c("sticking", &[ME1]),
    c("slipping", &[ME1, PERF1]),
    c("tension", &[ME1]),
    c("flange*", &[ME1]),
    c("pipe", &[ME1]),
    c("pipes", &[ME1]),
    c("pipework", &[ME1]),
    c("hose", &[ME1]),
    c("hoses", &[ME1]),
    // ── Electronic.
    c("pcb*", &[EN2]),
    c("circuit board", &[EN2]),
    c("control board", &[EN2]),
    c("main board", &[EN2]),
    c("mainboard", &[EN2]),
    c("board", &[EN1]),
    c("boards", &[EN1]),
    c("controller*", &[EN2]),
    c("control panel", &[EN1]),
    c("display", &[EN1]),
    c("screen", &[EN1]),
    c("touchscreen", &[EN1]),
    c("touch screen", &[EN1]),
    c("sensor*", &[EN2]),
    c("probe", &[EN2]),
    c("transducer*", &[EN1]),
    c("transmitter*", &[EN1]),
    c("thermistor*", &[EN1]),
    c("detector*", &[EN1]),
    c("firmware", &[EN2]),
    c("software", &[EN2]),
    c("reboot*", &[EN1]),
    c("hmi", &[EN2]),
    c("plc*", &[EN2]),
    c("cpu", &[EN2]),
    c("comms", &[EN2]),
    c("communication*", &[EN2]),
    c("modbus", &[EN2]),
    c("network", &[EN1]),
    c("ethernet", &[EN1]),
    c("bms", &[EN1]),
    c("vfd*", &[EN1]),
    c("vsd*", &[EN1]),
    c("inverter*", &[EN1]),
    c("encoder*", &[EN1]),
    c("setpoint*", &[EN1]),
    c("pid", &[EN1]),
    c("thermostat*", &[EN2]),
    c("timer", &[EN1]),
    c("electronic", &[EN2]),
    c("electronics", &[EN2]),
    // ── Structural.
    c("crack*", &[ST2]),
    c("corro*", &[ST2]),
    c("rust*", &[ST1]),
    c("frame", &[ST2]),
    c("frames", &[ST2]),
    c("baseframe*", &[ST2]),
    c("base frame", &[ST2]),
    c("chassis", &[ST2]),
    c("weld*", &[ST2]),
    c("mounting*", &[ST2]),
    c("mount", &[ST1]),
    c("bracket*", &[ST1]),
    c("concrete", &[ST2]),
    c("plinth", &[ST2]),
    c("foundation*", &[ST2]),
    c("base", &[ST1]),
    c("dent*", &[ST2]),
    c("bent", &[ST1]),
    c("door track", &[ST1]),
    c("subsid*", &[ST2]),
    c("holding down bolts", &[ST2]),
    c("hd bolts", &[ST2]),
    c("structur*", &[ST2]),
    c("brickwork", &[ST2]),
    c("cladding", &[ST2]),
    c("beam", &[ST1]),
    c("roof", &[ST1]),
    // ── Installation.
    c("install*", &[INS]),
    c("commission*", &[INS]),
    c("recommission*", &[INS]),
    c("newly fitted", &[INS]),
    c("new install*", &[INS]),
    c("setup", &[INS]),
    c("first start*", &[INS]),
    c("handover", &[INS]),
    c("snagging", &[INS]),
    // ── Equipment complexity.
    c("confus*", &[CPX, LOW]),
    c("complex", &[CPX]),
    c("complicated", &[CPX, LOW]),
    c("hard to use", &[CPX, LOW]),
    c("hard to operate", &[CPX, LOW]),
    c("difficult to use", &[CPX, LOW]),
    c("difficult to operate", &[CPX, LOW]),
    c("not intuitive", &[CPX, LOW]),
    c("unintuitive", &[CPX, LOW]),
    c("not user friendly", &[CPX, LOW]),
    c("user error", &[CPX, LOW]),
    c("operator error", &[CPX, LOW]),
    c("dont understand", &[CPX, LOW]),
    c("doesnt understand", &[CPX, LOW]),
    c("dont know how", &[CPX, LOW]),
    c("training", &[CPX1, CALM]),
    c("retraining", &[CPX1]),
    // ── Performance.
    c("slow", &[PERF2]),
    c("slower", &[PERF2]),
    c("slowly", &[PERF2]),
    c("sluggish", &[PERF2]),
    c("low pressure", &[PERF2, ME1]),
    c("low water pressure", &[PERF2, ME1]),
    c("pressure low", &[PERF2, ME1]),
    c("pressure drop*", &[PERF2, ME1]),
    c("losing pressure", &[PERF2, ME1]),
    c("low flow", &[PERF2, ME1]),
    c("poor flow", &[PERF2, ME1]),
    c("reduced flow", &[PERF2, ME1]),
    c("weak", &[PERF2]),
    c("intermit*", &[PERF2]),
    c("occasionally", &[PERF1]),
    c("sometimes", &[PERF1]),
    c("on and off", &[PERF1]),
    c("now and then", &[PERF1]),
    c("sporadic*", &[PERF2]),
    c("random*", &[PERF1]),
    c("overheat*", &[PERF2]),
    c("over heat*", &[PERF2]),
    c("running hot", &[PERF2]),
    c("too hot", &[PERF2]),
    c("high temperature", &[PERF2]),
    c("hot", &[PERF1]),
    c("poor", &[PERF1]),
    c("poorly", &[PERF1]),
    c("inefficien*", &[PERF2]),
    c("struggl*", &[PERF1]),
    c("short cycl*", &[PERF2]),
    c("hunting", &[PERF1]),
    c("fluctuat*", &[PERF1]),
    c("getting worse", &[PERF1]),
    c("deteriorat*", &[PERF1]),
    c("chattering", &[PERF1, EL1]),
    c("iced up", &[PERF1]),
    c("icing", &[PERF1]),
    c("running constantly", &[PERF1]),
    c("underperform*", &[PERF2]),
    c("not reaching", &[PERF2]),
    c("running rough", &[PERF2, ME1]),
    c("runs rough", &[PERF2, ME1]),
    c("rough running", &[PERF2, ME1]),
    c("rough", &[PERF1]),
    c("cutting out", &[PERF2]),
    c("cuts out", &[PERF2]),
    c("cut out", &[PERF2]).rule(12),
    // ── Equipment design.
    c("design flaw", &[DES3]),
    c("design fault", &[DES3]),
    c("design issue", &[DES3]),
    c("design problem", &[DES3]),
    c("poor design", &[DES3]),
    c("badly designed", &[DES3]),
    c("poorly designed", &[DES3]),
    c("design", &[DES2]),
    c("designed", &[DES1]),
    c("undersized", &[DES1]),
    c("under sized", &[DES1]),
    c("oversized", &[DES1]),
    c("wrong spec*", &[DES1]),
    // ── Feedback.
    c("feedback", &[FB2]),
    c("complain*", &[FB2]),
    c("customer says", &[FB1]),
    c("customer said", &[FB1]),
    c("customer reports", &[FB1]),
    c("customer reported", &[FB1]),
    c("customer mentioned", &[FB1]),
    c("customer states", &[FB1]),
    c("customer feedback", &[FB2]),
    c("customer happy", &[FB1]),
    c("happy with", &[FB1]),
    c("unhappy", &[FB2]),
    c("not happy", &[FB2]),
    c("dissatisfied", &[FB2]),
    // ══ Issue 10: cue families from GUIDELINES.md.
    // ── Explicit urgency (rule 3), including Spanish.
    c("today", &[Fx::When]).rule(13),
    c("hoy", &[Fx::When]),
    c("urgente", &[H]).rule(6),
    c("tonight", &[Fx::When]),
    c("need it back", &[H]),
    c("needs it back", &[H]),
    c("lo necesitan", &[H]),
    c("before the night shift", &[H]),
    c("before dinner", &[H]),
    c("before service", &[H]),
    c("before opening", &[H]),
    c("within the hour", &[H]),
    c("within an hour", &[H]),
    c("in an hour", &[H]),
    // ── Consequences (rule 2): a service people depend on is down.
    c("production waiting", &[H, CRIT]),
    c("sent home", &[H]),
    c("closing the school", &[H]),
    c("talking about closing", &[H]),
    c("no water to", &[H, BRK2]),
    c("no water", &[H, BRK2]),
    c("stone cold", &[H]),
    c("below freezing", &[H]),
    c("freezing outside", &[H]),
    c("care home", &[CRIT]),
    c("dementia", &[CRIT]),
    c("hospital", &[CRIT]),
    c("ward", &[CRIT]),
    c("school", &[CRIT]),
    c("vaccine*", &[H]),
    c("stock at risk", &[H]),
    c("lost stock", &[H]),
    c("stock loss", &[H]),
    c("losing stock", &[H]),
    c("derretido", &[H]),
    c("theatre", &[H]),
    c("patients", &[CRIT]),
    c("cant unload", &[H]),
    c("cannot unload", &[H]),
    c("cant lock up", &[H]),
    c("cant be locked", &[H]),
    c("cannot be locked", &[H]),
    c("cant secure", &[H]),
    c("open to the street", &[H]),
    c("insecure", &[H]),
    c("not secure", &[H]),
    c("site open", &[H]),
    c("building open", &[H]),
    c("cant work", &[H]),
    c("cannot work", &[H]),
    c("cant be used", &[H]),
    c("cannot be used", &[H]),
    c("off road", &[H, DOWN]),
    c("vor", &[H, DOWN]),
    c("queueing", &[H]),
    c("queuing", &[H]),
    c("queue of", &[H]),
    c("falling behind", &[H]),
    c("unprotected", &[H, HAZ]),
    c("no smoke ventilation", &[H, HAZ]),
    c("no fire detection", &[H, HAZ]),
    c("no fire protection", &[H, HAZ]),
    c("no sprinkler protection", &[H, HAZ]),
    c("without process steam", &[H]),
    c("without power", &[H, EL2]),
    c("without heating", &[H]),
    c("without heat", &[H]),
    c("without hot water", &[H]),
    c("without water", &[H]),
    c("standby supply", &[CRIT]),
    c("no standby supply", &[H, CRIT]),
    c("unavailable", &[DOWN]),
    c("shutting down", &[DOWN, BRK1]),
    c("whole building off", &[H, CRIT]),
    c("building off", &[H, CRIT]),
    c("evacuat*", &[H]),
    c("wheelchair", &[CRIT]),
    c("step free", &[CRIT]),
    c("only lift", &[CRIT]),
    c("only one", &[CRIT]),
    c("only toilets", &[H]),
    c("only rapid", &[CRIT]),
    c("only charger", &[CRIT]),
    c("only this one", &[CRIT]),
    c("the only", &[CRIT]),
    c("out of use", &[DOWN, CONT]),
    c("taken out of use", &[H, CONT]),
    c("fuera de servicio", &[DOWN, BRK2]),
    c("parada", &[DOWN, BRK2]),
    c("no funciona", &[DOWN, BRK2]),
    c("overflowing", &[FLOOD, ME1, BRK1]),
    c("desborda", &[FLOOD, ME1, BRK1]),
    // ── Redundancy: another unit carries the load.
    c("covering", &[RED]),
    c("carrying load", &[RED]),
    c("carrying the load", &[RED]),
    c("others covering", &[RED]),
    c("standby running", &[RED]),
    c("standby pump running", &[RED]),
    c("standby took over", &[RED]),
    c("duty standby", &[RED]),
    c("other lift", &[RED]),
    c("other lifts", &[RED]),
    c("2nd lift", &[RED]),
    c("second lift", &[RED]),
    c("has a second", &[RED]),
    c("got a second", &[RED]),
    c("2nd pump", &[RED]),
    c("second pump", &[RED]),
    c("other pump", &[RED]),
    c("other boiler", &[RED]),
    c("other boilers", &[RED]),
    c("other unit", &[RED]),
    c("using the other", &[RED]),
    c("use the other", &[RED]),
    c("other one", &[RED]),
    c("other oven", &[RED]),
    c("other machine", &[RED]),
    c("second one", &[RED]),
    c("spare unit", &[RED]),
    c("still running", &[RED]),
    c("still working", &[RED]),
    c("still serving", &[RED]),
    c("still up", &[RED]),
    c("still work", &[RED]),
    c("works on mains", &[RED]),
    c("ok on mains", &[RED]),
    c("running on", &[RED]),
    // ── Resolved on the visit (Low when nothing is outstanding).
    c("ok now", &[DONE]),
    c("now ok", &[DONE]),
    c("all ok", &[DONE]),
    c("all good", &[DONE]),
    c("all working", &[DONE]),
    c("working now", &[DONE]),
    c("now working", &[DONE]),
    c("working again", &[DONE]),
    c("running now", &[DONE]),
    c("now running", &[DONE]),
    c("running again", &[DONE]),
    c("running ok", &[DONE]),
    c("back to normal", &[DONE]),
    c("back in service", &[DONE]),
    c("back up and running", &[DONE]),
    c("back online", &[DONE]),
    c("sorted", &[DONE]),
    c("fixed", &[DONE]),
    c("resolved", &[DONE]),
    c("rectified", &[DONE]),
    c("tested ok", &[DONE]),
    c("stopped leaking", &[DONE]),
    c("drip stopped", &[DONE]),
    c("now dry", &[DONE]),
    c("smell is gone", &[DONE]),
    c("better now", &[DONE]),
    c("should be better", &[DONE]),
    c("should sort it", &[DONE]),
    c("reset", &[DONE]),
    c("cleared", &[DONE]),
    c("cleaned", &[DONE]),
    c("replaced", &[DONE]),
    c("refitted", &[DONE]),
    c("tightened", &[DONE]),
    c("realigned", &[DONE]),
    c("recharged", &[DONE]),
    c("corrected", &[DONE]),
    c("restored", &[DONE]),
    c("updated", &[DONE]),
    c("repunched", &[DONE]),
    c("done", &[DONE]),
    c("todo ok", &[DONE]),
    c("todo en orden", &[DONE]),
    // ── Still outstanding.
    c("ordered", &[PEND]),
    c("on order", &[PEND]),
    c("order", &[PEND]),
    c("to order", &[PEND]),
    c("need", &[PEND, ASK]),
    c("needs", &[PEND, ASK]),
    c("needed", &[PEND, ASK]),
    c("required", &[PEND, ASK]),
    c("requires", &[PEND]),
    c("replace", &[PEND]),
    c("replacement", &[PEND]),
    c("to replace", &[PEND]),
    c("recommend*", &[PEND]),
    c("advised", &[PEND]),
    c("advise", &[PEND]),
    c("to look", &[PEND]),
    c("to check", &[PEND]),
    c("to inspect", &[PEND]),
    c("to assess", &[PEND]),
    c("follow up", &[PEND]),
    // Freeing a stuck part leaves why it stuck unknown.
    c("freed it", &[PEND]),
    c("freed off", &[PEND]),
    c("freed up", &[PEND]),
    c("want*", &[ASK]),
    c("asking", &[ASK]),
    c("asked", &[ASK]),
    c("necesita*", &[ASK]),
    c("pls", &[ASK]),
    c("please", &[ASK]),
    c("must", &[ASK]),
    c("return", &[PEND]),
    c("revisit", &[PEND]),
    c("come back", &[PEND]),
    c("awaiting", &[PEND]),
    c("waiting", &[PEND]),
    c("pending", &[PEND]),
    c("monitor", &[PEND]),
    c("monitoring", &[PEND]),
    c("investigate", &[PEND]),
    c("investigation", &[PEND]),
    c("again", &[Fx::Recur]),
    c("keeps", &[Fx::Recur]),
    c("keep", &[Fx::Recur]),
    c("still", &[Fx::Recur]),
    c("recur*", &[Fx::Recur]),
    c("be replaced", &[PEND]),
    c("be planned", &[PEND]),
    c("be repaired", &[PEND]),
    c("arrange", &[PEND]),
    c("until", &[PEND, CONT]),
    c("till", &[PEND, CONT]),
    c("isolated", &[CONT]),
    c("made safe", &[CONT]),
    c("make safe", &[CONT]),
    c("taped", &[CONT]),
    c("taped off", &[CONT]),
    c("coned off", &[CONT]),
    c("cordoned", &[CONT]),
    c("acordonad*", &[CONT]),
    c("roped off", &[CONT]),
    c("barriers", &[CONT]),
    c("locked off", &[CONT]),
    c("switched off", &[CONT]),
    c("sign up", &[CONT]),
    c("do not use", &[CONT]),
    c("closed off", &[H, CONT]),
    // ── Routine, feedback, admin, operation explained (Low when nothing is outstanding).
    c("annual", &[CALM]),
    c("anual", &[CALM]),
    c("ann", &[CALM]),
    c("six monthly", &[CALM]),
    c("monthly", &[CALM]),
    c("quarterly", &[CALM]),
    c("trimestral", &[CALM]),
    c("planned", &[CALM]),
    c("routine", &[CALM]),
    c("ppm", &[CALM]),
    c("pm done", &[CALM]),
    c("service done", &[CALM]),
    c("serviced", &[CALM]),
    c("servicing", &[CALM]),
    c("svc", &[CALM]),
    c("mantenimiento", &[CALM]),
    c("inspection", &[CALM]),
    c("inspeccion", &[CALM]),
    c("thorough exam*", &[CALM]),
    c("survey", &[CALM]),
    c("completed", &[CALM]),
    c("passed", &[CALM]),
    c("satisfactory", &[CALM]),
    c("certificate", &[CALM]),
    c("jetting", &[CALM, ME1]),
    c("stock check", &[CALM]),
    c("no job", &[CALM]),
    c("quote", &[CALM]),
    c("price", &[CALM]),
    c("no access", &[CALM]),
    c("permit", &[CALM]),
    c("manuals", &[CALM]),
    c("cancelled", &[CALM]),
    c("rebook", &[CALM]),
    c("invoice", &[CALM]),
    c("travel time", &[CALM]),
    c("informe", &[CALM]),
    c("nothing to fix", &[CALM]),
    c("nothing wrong", &[CALM]),
    c("no issues", &[CALM]),
    c("no problems", &[CALM]),
    c("no faults found", &[CALM]),
    c("no fault", &[CALM]),
    c("pleased", &[CALM, FB1]),
    c("brilliant", &[CALM, FB1]),
    c("thanks", &[CALM, FB1]),
    c("much better", &[CALM, FB1]),
    c("much quieter", &[CALM, FB1]),
    c("much clearer", &[CALM, FB1]),
    c("much easier", &[CALM, FB1]),
    c("much faster", &[CALM, FB1]),
    c("like it", &[CALM, FB1]),
    c("showed", &[CALM]),
    c("show him", &[CALM]),
    c("show them", &[CALM]),
    c("explained", &[CALM]),
    c("explain", &[CALM]),
    c("ensene", &[CALM]),
    c("trained", &[CALM]),
    c("run through", &[CALM]),
    c("one page guide", &[CALM]),
    c("not dangerous", &[CALM]),
    c("no immediate risk", &[CALM]),
    c("no es urgente", &[LOW]),
    c("no urgente", &[LOW]),
    c("when possible", &[LOW]),
    c("next week", &[LOW]),
    c("la semana que viene", &[LOW]),
    c("next servise", &[LOW]),
    c("next vist", &[LOW]),
    c("planned maintenance", &[LOW]),
    // ── Hazards without hazard words.
    c("trip risk", &[HAZ]),
    c("staff slipping", &[HAZ]),
    c("resbaloso", &[HAZ]),
    c("resbaladizo", &[HAZ]),
    c("head height", &[HAZ]),
    c("get hit", &[HAZ]),
    c("take fingers", &[HAZ]),
    c("fingers off", &[HAZ]),
    c("go straight off", &[HAZ]),
    c("no edge protection", &[HAZ, ST2]),
    c("put their foot", &[HAZ]),
    c("put there foot", &[HAZ]),
    c("foot in", &[HAZ]),
    c("shut in", &[H, HAZ]),
    c("locked in", &[H, HAZ]),
    c("people in", &[HAZ]),
    c("could come off", &[HAZ]),
    c("come off", &[HAZ]),
    c("landed", &[HAZ]),
    c("fallen off", &[HAZ, ST1]),
    c("hanging", &[HAZ, ST1]),
    c("bowing", &[HAZ, ST2]),
    c("sagging", &[HAZ, ST2]),
    c("hole", &[ST1]),
    c("drop through", &[HAZ]),
    c("co reading", &[H, HAZ]),
    c("co level*", &[H, HAZ]),
    c("chemical smell", &[H, HAZ]),
    c("chemical leak*", &[H, HAZ]),
    c("chemical spill*", &[H, HAZ]),
    c("steam escaping", &[H, HAZ, ME2]),
    c("steam leak*", &[H, HAZ, ME2]),
    c("legionella risk", &[H, HAZ]),
    c("scald*", &[H, HAZ]),
    c("humo", &[H, HAZ, BRK1]),
    c("fuego", &[H, HAZ, BRK1]),
    c("chispas", &[H, HAZ, EL1]),
    c("flash", &[H, HAZ, EL1]),
    c("burnt hand", &[H, HAZ]),
    c("tingle", &[H, HAZ, EL1]),
    c("shock", &[H, HAZ, EL1]),
    c("brake not", &[HAZ, ME2]),
    c("brakes not", &[HAZ, ME2]),
    c("brake fail*", &[HAZ, ME2]),
    c("brakes fail*", &[HAZ, ME2]),
    c("no brakes", &[H, HAZ, ME2]),
    c("pads gone", &[HAZ, ME2]),
    c("metal on metal", &[ME2]),
    c("not reversing", &[HAZ, EN1]),
    c("switch bypassed", &[HAZ, EL1]),
    c("interlock bypassed", &[HAZ, EL1]),
    c("interlocks bypassed", &[HAZ, EL1]),
    c("safety circuit bypassed", &[HAZ, EL1]),
    c("safety device bypassed", &[HAZ]),
    c("closed", &[H]).rule(15),
    c("panel live", &[HAZ, EL2]),
    c("still live", &[HAZ, EL2]),
    c("cover off", &[HAZ, EL1]),
    c("covers off", &[HAZ, EL1]),
    c("cover missing", &[HAZ, EL1]),
    c("dead front", &[HAZ, EL2]),
    c("open panel", &[HAZ, EL1]),
    c("broken glass", &[HAZ, ST1]),
    c("jagged", &[HAZ]),
    c("wet", &[FLOOD]),
    c("water near", &[FLOOD]),
    c("water onto", &[FLOOD]),
    c("water on", &[FLOOD]),
    c("damp", &[FLOOD, ST1]),
    c("water stain", &[FLOOD, ST1]),
    // ── Doors and barriers that will not close or release.
    c("wont close", &[OPEN, ME1, BRK2]),
    c("wont shut", &[OPEN, ME1, BRK2]),
    c("doesnt close", &[OPEN, ME1, BRK2]),
    c("not closing", &[OPEN, ME1, BRK2]),
    c("stays open", &[OPEN]),
    c("stuck open", &[OPEN, BRK2]),
    c("not releasing", &[OPEN, BRK2]),
    c("doesnt release", &[OPEN, BRK2]),
    c("failed to open", &[OPEN, BRK2]),
    c("wont open", &[BRK2]),
    c("doesnt lock", &[OPEN, BRK2]),
    c("wont lock", &[OPEN, BRK2]),
    c("fire door", &[FSTOP]),
    c("fire doors", &[FSTOP]),
    c("fire exit", &[FSTOP]),
    c("smoke vent", &[FSTOP, EN1]),
    c("smoke damper", &[FSTOP]),
    c("fire damper", &[FSTOP]),
    c("aov", &[FSTOP]),
    c("escape route", &[FSTOP]),
    // ── Minor items: an isolated hazard on one of them is Medium.
    c("double socket", &[MINOR, EL1, ELX]),
    c("spur", &[MINOR, EL1, ELX]),
    c("plug", &[MINOR, EL1, ELX]),
    c("light fitting", &[MINOR, EL2]),
    // ── Mechanical: moving parts, fluids, symptoms.
    c("blade", &[ME2]),
    c("blades", &[ME2]),
    c("fan", &[ME1]),
    c("fans", &[ME1]),
    c("compressor", &[ME1]),
    c("compresor", &[ME1]),
    c("damper", &[ME1]),
    c("linkage", &[ME2]),
    c("spring", &[ME2]),
    c("springs", &[ME2]),
    c("hinge*", &[ME2]),
    c("closer", &[ME2]),
    c("handle", &[ME1]),
    c("latch", &[ME1]),
    c("counterweight", &[ME2]),
    c("rope", &[ME2]),
    c("ropes", &[ME2]),
    c("brake", &[ME2]),
    c("brakes", &[ME2]),
    c("pads", &[ME1]),
    c("tyre*", &[ME2]),
    c("tire*", &[ME2]),
    c("tread", &[ME1]),
    c("puncture*", &[ME2]),
    c("wheel", &[ME2]),
    c("wheels", &[ME2]),
    c("fork", &[ME2]),
    c("forks", &[ME2]),
    c("mast", &[ME1]),
    c("tiller", &[ME1]),
    c("exhaust", &[ME2]),
    c("fuel", &[ME1]),
    c("coolant", &[ME1]),
    c("radiator", &[ME1]),
    c("radiators", &[ME1]),
    c("engine", &[ME1]),
    c("clutch", &[ME2]),
    c("axle", &[ME2]),
    c("steering", &[ME2]),
    c("seatbelt", &[ME2]),
    c("buckle", &[ME1]),
    c("strainer", &[ME1]),
    c("trap", &[ME1]),
    c("drain", &[ME2]),
    c("drains", &[ME2]),
    c("gully", &[ME2]),
    c("toilet", &[ME1]),
    c("toilets", &[ME1]),
    c("wc", &[ME1]),
    c("cistern", &[ME2]),
    c("tap", &[ME1]),
    c("taps", &[ME1]),
    c("flue", &[ME1]),
    c("burner", &[ME1]),
    c("burners", &[ME1]),
    c("nozzle*", &[ME1]),
    c("heat exchanger", &[ME2]),
    c("coil", &[ME1]),
    c("condenser", &[ME1]),
    c("evaporator", &[ME1]),
    c("evap", &[ME1]),
    c("refrigerant", &[ME2]),
    c("low charge", &[ME2]),
    c("drier", &[ME2]),
    c("tev", &[ME1]),
    c("expansion vessel", &[ME2]),
    c("diaphragm", &[ME2]),
    c("regulator", &[ME1]),
    c("governor", &[ME1]),
    c("prime", &[ME2]),
    c("priming", &[ME2]),
    c("air lock", &[ME2]),
    c("airlock", &[ME2]),
    c("bleed", &[ME1]),
    c("dirty", &[ME1]),
    c("fluff", &[ME1]),
    c("descale", &[ME1]),
    c("scale", &[ME1]),
    c("limescale", &[ME1]),
    c("lime scale", &[ME1]),
    c("ice", &[ME1]),
    c("iced", &[ME1, PERF1]),
    c("flat spot*", &[ME2]),
    c("judder*", &[ME2, PERF1]),
    c("shak*", &[ME1, PERF1]),
    c("wobbl*", &[ME1, PERF1]),
    c("rubbing", &[ME2]),
    c("rack", &[ME1]),
    c("cremallera", &[ME2]),
    c("desgastad*", &[ME1]),
    c("fuga", &[ME2, BRK1]),
    c("charco", &[ME1]),
    c("aceite", &[ME1]),
    c("rotor", &[ME1]),
    c("spinning", &[ME1]),
    c("sash", &[ME1]),
    c("cord", &[ME1]),
    c("steam trap", &[ME2]),
    c("passing", &[ME1]),
    c("split", &[ME1, BRK1]),
    c("tube", &[ME1]),
    c("flare", &[ME1]),
    c("bolts", &[ME1]),
    c("vaporiser", &[ME2]),
    c("stalling", &[ME1, PERF2]),
    c("lid", &[ME1]),
    c("tubo", &[ME1]),
    c("tuberia", &[ME1]),
    c("bomba", &[ME1]),
    c("gate", &[ME1]),
    c("rollers", &[ME1]),
    c("mechanical", &[ME2]),
    c("mechanism", &[ME2]),
    c("lubed", &[ME1]),
    c("chains", &[ME1]),
    c("airflow", &[ME1]),
    c("air flow", &[ME1]),
    c("ventilation", &[ME1]),
    // ── Electrical: power and its distribution.
    c("lights", &[EL2]),
    c("light", &[EL1]),
    c("lamp", &[EL2]),
    c("lamps", &[EL2]),
    c("lighting", &[EL2]),
    c("led driver", &[EL2]),
    c("driver", &[EL1]),
    c("element*", &[EL1]),
    c("immersion", &[EL2]),
    c("o/c", &[EL2]),
    c("open circuit", &[EL2]),
    c("termico", &[EL2]),
    c("disparo", &[EL2, BRK2]),
    c("disparar", &[EL2, BRK2]),
    c("supply", &[EL1]),
    c("mains", &[EL1]),
    c("busbar*", &[EL2]),
    c("contacts", &[EL1]),
    c("pitted", &[EL1]),
    c("switch", &[EL1]),
    c("lock switch", &[EL2]),
    c("door switch", &[EL1]),
    c("gate switch", &[EL2]),
    c("interlock", &[EL1]),
    c("circuit", &[EL1]),
    c("circuits", &[EL1]),
    c("batt", &[EL1]),
    c("batts", &[EL1]),
    c("bateria*", &[EL1]),
    c("charger*", &[EL1]),
    c("cargador", &[EL1]),
    c("hot spot", &[EL2]),
    c("thermal imag*", &[EL1]),
    c("thermograph*", &[EL1]),
    c("maglock", &[EL1]),
    c("solenoid", &[EL1]),
    c("actuator", &[EL1]),
    c("psu", &[EL1]),
    c("alternator", &[EL2]),
    c("dc cable", &[EL2]),
    c("connector", &[EL1]),
    // ── Electronic: control and information.
    c("app", &[EN2]),
    c("wifi", &[EN2]),
    c("wi fi", &[EN2]),
    c("access point*", &[EN2]),
    c("router", &[EN2]),
    c("vlan", &[EN2]),
    c("config*", &[EN2]),
    c("network switch", &[EN2]),
    c("port", &[EN1]),
    c("raid", &[EN2]),
    c("disk", &[EN2]),
    c("drives", &[EN1]),
    c("nvr", &[EN2]),
    c("dvr", &[EN2]),
    c("cctv", &[EN2]),
    c("camera*", &[EN2]),
    c("cam", &[EN1]),
    c("video", &[EN1]),
    c("footage", &[EN1]),
    c("recording", &[EN1]),
    c("hdmi", &[EN2]),
    c("signal", &[EN1]),
    c("no signal", &[EN2, BRK1]),
    c("extender", &[EN1]),
    c("projector", &[EN1]),
    c("speaker*", &[EN1]),
    c("audio", &[EN1]),
    c("media player", &[EN2]),
    c("syncing", &[EN1]),
    c("synchronis*", &[EN1]),
    c("reader", &[EN2]),
    c("rfid", &[EN2]),
    c("fob*", &[EN1]),
    c("keypad", &[EN1]),
    c("pir", &[EN2]),
    c("pirs", &[EN2]),
    c("photocell*", &[EN2]),
    c("light curtain", &[EN2]),
    c("safety edge*", &[EN1]),
    c("remote", &[EN1]),
    c("timeclock", &[EN1]),
    c("time clock", &[EN1]),
    c("control box", &[EN1]),
    c("module", &[EN1]),
    c("dialer", &[EN2]),
    c("dialler", &[EN2]),
    c("dialing", &[EN1]),
    c("phone line", &[EN1]),
    c("intercom", &[EN1]),
    c("indicator", &[EN1]),
    c("announcer", &[EN1]),
    c("calibrat*", &[EN2]),
    c("recalibrat*", &[EN2]),
    c("reprogram*", &[EN2]),
    c("settings", &[EN1]),
    c("setting", &[EN1]),
    c("parameter*", &[EN1]),
    c("dimm", &[EN2]),
    c("ecc", &[EN1]),
    c("memory", &[EN1]),
    c("printer", &[EN1]),
    c("uv cell", &[EN2]),
    c("flame sensor", &[EN2]),
    c("flow switch", &[EN2]),
    c("pressure switch", &[EN1]),
    c("level switch", &[EN1]),
    c("weighing", &[EN1]),
    c("stat", &[EN1]),
    c("leak detector", &[EN1]),
    c("monitor*", &[EN1]),
    c("logged", &[EN1]),
    c("alarm", &[EN1]),
    c("alarma", &[EN1]),
    c("drive fault", &[EN2]),
    c("inverter", &[EN1]),
    c("usb", &[EN1]),
    c("laptop", &[EN1]),
    c("pc", &[EN1]),
    c("tablet", &[EN1]),
    c("wireless", &[EN1]),
    c("bluetooth", &[EN1]),
    // ── Structural: fabric and the bones of equipment.
    c("wall", &[ST2]),
    c("walls", &[ST2]),
    c("ceiling", &[ST1]),
    c("tiles", &[ST1]),
    c("tile", &[ST1]),
    c("slab", &[ST2]),
    c("render", &[ST2]),
    c("parapet", &[ST2]),
    c("facade", &[ST2]),
    c("glazing", &[ST2]),
    c("glass", &[ST1]),
    c("window", &[ST1]),
    c("windows", &[ST1]),
    c("rooflight*", &[ST2]),
    c("roof sheet*", &[ST2]),
    c("gutter*", &[ST2]),
    c("downpipe*", &[ST1]),
    c("sealant", &[ST1]),
    c("mould", &[ST1]),
    c("mold", &[ST1]),
    c("tanking", &[ST2]),
    c("stair", &[ST1]),
    c("stairs", &[ST1]),
    c("staircase", &[ST1]),
    c("handrail*", &[ST2]),
    c("walkway", &[ST1]),
    c("grating", &[ST2]),
    c("kick plate", &[ST1]),
    c("racking", &[ST2]),
    c("beams", &[ST1]),
    c("upright", &[ST1]),
    c("uprights", &[ST2]),
    c("mezzanine", &[ST1]),
    c("floor board*", &[ST2]),
    c("deck", &[ST1]),
    c("skirt panel", &[ST2]),
    c("blockwork", &[ST2]),
    c("plasterboard", &[ST2]),
    c("masonry", &[ST2]),
    c("fixings", &[ST1]),
    c("fixing", &[ST1]),
    c("anchor*", &[ST1]),
    c("techo", &[ST2]),
    c("pared", &[ST2]),
    c("manhole cover", &[ST2]),
    c("lintel", &[ST2]),
    c("arm", &[ST1]),
    c("intumescent", &[ST2]),
    c("dock shelter", &[ST1]),
    c("panel damage*", &[ST2]),
    c("impact damage*", &[ST2]),
    c("heaving", &[ST2]),
    c("lifting", &[ST1]),
];

pub(super) static CUES: &[Cue] = CUE_LIST;

const N_CUES: usize = CUE_LIST.len();

/// Slots of the compile-time index.
const SLOTS: usize = 2048;

/// The index key of a word or pattern: its first three bytes, a two-byte word
/// padded with a space (so the word `no` and the phrase `no power` share a
/// key, and `not`, `none` have their own), hashed into a slot. Every pattern's
/// first word has at least two bytes, and three before any `*`.
const fn slot(b: &[u8]) -> usize {
    let b2 = if b.len() > 2 { b[2] } else { b' ' };
    ((b[0] as usize * 31 + b[1] as usize) * 31 + b2 as usize) % SLOTS
}

/// The cues grouped by slot, computed at compile time (a counting sort):
/// `BUCKETS.0[BUCKETS.1[s]..BUCKETS.1[s + 1]]` are the indices of the cues in
/// slot `s`, in table order.
static BUCKETS: ([u16; N_CUES], [u16; SLOTS + 1]) = bucket(CUE_LIST);

const fn bucket(cues: &[Cue]) -> ([u16; N_CUES], [u16; SLOTS + 1]) {
    let mut starts = [0u16; SLOTS + 1];
    let mut i = 0;
    while i < cues.len() {
        starts[slot(cues[i].pat.as_bytes()) + 1] += 1;
        i += 1;
    }
    let mut k = 1;
    while k <= SLOTS {
        starts[k] += starts[k - 1];
        k += 1;
    }
    let mut fill = starts;
    let mut order = [0u16; N_CUES];
    i = 0;
    while i < cues.len() {
        let s = slot(cues[i].pat.as_bytes());
        order[fill[s] as usize] = i as u16;
        fill[s] += 1;
        i += 1;
    }
    (order, starts)
}

/// The cues that may match at a word (those in its key's slot), in table
/// order. A one-byte word matches nothing.
pub(super) fn candidates(word: &str) -> impl Iterator<Item = &'static Cue> {
    let (order, starts) = &BUCKETS;
    let range = if word.len() >= 2 {
        let s = slot(word.as_bytes());
        starts[s] as usize..starts[s + 1] as usize
    } else {
        0..0
    };
    order[range].iter().map(|&i| &CUES[i as usize])
}

/// The word matches one word of a pattern.
pub(super) fn word_matches(pat: &str, word: &str) -> bool {
    match pat.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => pat == word,
    }
}

/// Damerau–Levenshtein distance ≤ 1 (one insertion, deletion, substitution
/// or swap of neighbours), on bytes. For typos such as `bearnig`, `vibraton`.
pub(super) fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let mut diffs = (0..a.len()).filter(|&i| a[i] != b[i]);
            let Some(i) = diffs.next() else { return true };
            match diffs.next() {
                None => true,
                Some(j) => j == i + 1 && a[i] == b[j] && a[j] == b[i] && diffs.next().is_none(),
            }
        }
        1 => {
            let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_catches_common_typos_only() {
        assert!(within_one_edit("bearnig", "bearing"));
        assert!(within_one_edit("vibraton", "vibration"));
        assert!(within_one_edit("contacter", "contactor"));
        assert!(within_one_edit("emergancy", "emergency"));
        assert!(!within_one_edit("breaks", "breaker"));
        assert!(!within_one_edit("sparse", "sparks"));
        assert!(!within_one_edit("bearing", "gearbox"));
    }

    #[test]
    fn patterns_are_lower_case_single_spaced() {
        for cue in CUES {
            assert!(!cue.pat.is_empty());
            assert_eq!(cue.pat, cue.pat.trim(), "{}", cue.pat);
            assert!(!cue.pat.contains("  "), "{}", cue.pat);
            assert!(
                cue.pat
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b" */".contains(&b)),
                "{}",
                cue.pat
            );
        }
    }

    #[test]
    fn every_cue_is_a_candidate_for_its_own_words_in_table_order() {
        for (i, cue) in CUES.iter().enumerate() {
            let first = cue.pat.split(' ').next().unwrap();
            let word = first.trim_end_matches('*');
            assert!(
                word.len() >= 3 || (word.len() == 2 && word == first),
                "{}: a pattern's first word needs two bytes, three before any '*'",
                cue.pat
            );
            let found: Vec<usize> = candidates(word)
                .map(|c| CUES.iter().position(|d| std::ptr::eq(c, d)).unwrap())
                .collect();
            assert!(found.contains(&i), "{}", cue.pat);
            assert!(found.windows(2).all(|w| w[0] < w[1]), "table order kept");
        }
        let max = (0..SLOTS)
            .map(|s| BUCKETS.1[s + 1] - BUCKETS.1[s])
            .max()
            .unwrap();
        // The largest slot is the "no …" phrases ("no power", "no heat", …).
        assert!(max <= 72, "a slot holds {max} cues");
        // Other crowded slots are shared prefixes too ("not …", "wont …", "pow…").
        let crowded = (0..SLOTS)
            .filter(|&s| BUCKETS.1[s + 1] - BUCKETS.1[s] > 8)
            .count();
        assert!(crowded <= 32, "{crowded} slots hold more than 8 cues");
        assert!(RULES.len() < 256);
        assert!(CUES.iter().all(|c| (c.rule as usize) < RULES.len()));
    }

    #[test]
    fn self_negating_phrases_are_recognised() {
        let find = |p: &str| CUES.iter().find(|c| c.pat == p).map(Cue::self_negating);
        assert_eq!(find("no power"), Some(true));
        assert_eq!(find("wont start"), Some(true));
        assert_eq!(find("not urgent"), Some(true));
        assert_eq!(find("no"), Some(false));
        assert_eq!(find("smoke"), Some(false));
    }
}
