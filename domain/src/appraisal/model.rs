//! The appraisal's vocabulary: the period a campaign covers, the grades, the six dimensions,
//! the 四个合格, the 双十条 lists and the 五看五查 questions (source document 三(二), 四(四)2,
//! 四(五)3).

use std::fmt;

/// What a campaign covers: a half year (`2027-H1`) or a whole year (`2027`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Half { year: i32, half: u8 },
    Year(i32),
}

impl Period {
    pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
    /// The published pattern of the wire form.
    pub const PATTERN: &'static str = "^[0-9]{4}(-H[12])?$";

    pub fn parse(raw: &str) -> Option<Self> {
        let (year, half) = match raw.split_once("-H") {
            Some((y, h)) => (y, Some(h)),
            None => (raw, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if !Self::YEARS.contains(&year) {
            return None;
        }
        match half {
            None => Some(Period::Year(year)),
            Some("1") => Some(Period::Half { year, half: 1 }),
            Some("2") => Some(Period::Half { year, half: 2 }),
            Some(_) => None,
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Half { year, .. } | Period::Year(year) => year,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Half { year, half } => write!(f, "{year:04}-H{half}"),
            Period::Year(year) => write!(f, "{year:04}"),
        }
    }
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal, $title:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }

            /// The name people read.
            pub const fn title(self) -> &'static str {
                match self { $($name::$variant => $title,)* }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {}: {raw}", stringify!($name)))
                })
            }
        }
    };
}

wire_enum! {
    /// A grade, given by a peer in the ballot and by the organisation in its rating.
    Grade {
        Excellent = "excellent", "优秀";
        Qualified = "qualified", "合格";
        BasicallyQualified = "basically_qualified", "基本合格";
        Unqualified = "unqualified", "不合格";
    }
}

wire_enum! {
    /// The six dimensions a member is assessed on.
    Dimension {
        Thought = "thought", "思想表现";
        WorkStyle = "work_style", "工作作风";
        Discipline = "discipline", "遵守纪律";
        Duties = "duties", "履行职责";
        Role = "role", "发挥作用";
        Morality = "morality", "道德品质";
    }
}

wire_enum! {
    /// 四个合格: the four qualifications a member checks themself against.
    Qualification {
        Political = "political", "政治合格";
        Discipline = "discipline", "执行纪律合格";
        Morality = "morality", "品德合格";
        Role = "role", "发挥作用合格";
    }
}

wire_enum! {
    /// Whom each participant reviews in the peer ballot.
    PeerScope {
        Branch = "branch", "全支部互评";
        Group = "group", "党小组内互评";
    }
}

/// 双十条, the positive list as the township's plan words it (三(二)2); a campaign keeps its
/// own copy, which a township may edit.
pub const DEFAULT_POSITIVE_LIST: [&str; 10] = [
    "理想信念坚定",
    "遵守党章党规和法律法规",
    "按要求参加组织生活",
    "遵守社会公德、职业道德、家庭美德、个人品德",
    "自觉加强学习、提升能力",
    "爱岗敬业、履职尽责",
    "主动联系服务群众",
    "积极完成党组织交办的任务",
    "廉洁自律",
    "积极参加志愿服务",
];

/// 双十条, the negative list (三(二)2).
pub const DEFAULT_NEGATIVE_LIST: [&str; 10] = [
    "理想信念缺失",
    "政治立场动摇",
    "宗旨观念淡薄",
    "组织纪律散漫",
    "价值观偏差",
    "道德行为扭曲",
    "工作生活作风不正",
    "没有正当理由,不做党组织所分配的任务",
    "党员作用发挥不明显",
    "其它违反《党章》等党内规章的行为",
];

/// 五看五查, the five questions of the self-examination (四(四)2 五).
pub const FIVE_LOOKS: [&str; 5] = [
    "一看理想信念,查是否信仰缺失、信念缺失、精神缺钙,是否做到“四个自信”",
    "二看纪律规矩,查是否牢固树立“四个意识”,是否做到同以习近平同志为核心的党中央保持高度一致",
    "三看工作作风,查是否牢固树立宗旨意识,是否严格执行“八项规定”",
    "四看组织观念,查是否认真参加组织生活,是否坚持请示报告制度",
    "五看责任担当,查是否认真履行岗位职责,是否发挥模范带头作用",
];

/// How many items each of the 双十条 lists holds.
pub const LIST_ITEMS: usize = 10;
/// The longest item text of a township's own list.
pub const MAX_LIST_ITEM_CHARS: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_halves_and_years_and_nothing_else() {
        assert_eq!(
            Period::parse("2027-H1"),
            Some(Period::Half {
                year: 2027,
                half: 1
            })
        );
        assert_eq!(Period::parse("2027"), Some(Period::Year(2027)));
        for bad in [
            "2027-H3",
            "2027-H",
            "27",
            "20271",
            "1999",
            "2101",
            "2027-h1",
            "+202",
            "2027-H12",
            "",
            "２０２７",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad:?}");
        }
        for p in ["2027-H1", "2027-H2", "2030"] {
            assert_eq!(
                Period::parse(p)
                    .unwrap_or_else(|| panic!("{p}"))
                    .to_string(),
                p
            );
        }
    }

    #[test]
    fn the_period_pattern_accepts_what_parse_accepts_in_shape() {
        // The published pattern is the shape; the year range is stated beside it.
        let re = |s: &str| {
            let b = s.as_bytes();
            (b.len() == 4 || (b.len() == 7 && &s[4..6] == "-H" && matches!(b[6], b'1' | b'2')))
                && b[..4].iter().all(u8::is_ascii_digit)
        };
        for s in ["2027", "2027-H1", "2027-H2", "2027-H3", "abcd", "2027-"] {
            let parsed = Period::parse(s).is_some();
            assert_eq!(parsed, re(s), "{s}");
        }
    }

    #[test]
    fn every_wire_enum_round_trips_and_has_a_title() {
        for g in Grade::ALL {
            assert_eq!(Grade::parse(g.as_str()), Some(*g));
            assert!(!g.title().is_empty());
        }
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(*d));
        }
        for q in Qualification::ALL {
            assert_eq!(Qualification::parse(q.as_str()), Some(*q));
        }
        assert_eq!(Dimension::ALL.len(), 6);
        assert_eq!(Qualification::ALL.len(), 4);
        assert!(DEFAULT_POSITIVE_LIST
            .iter()
            .chain(DEFAULT_NEGATIVE_LIST.iter())
            .all(|t| t.chars().count() <= MAX_LIST_ITEM_CHARS));
    }
}
