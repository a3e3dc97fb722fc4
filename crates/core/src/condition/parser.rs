//! Recursive-descent parser that type-checks as it builds the tree.

use chrono::NaiveDate;

use super::ast::{Count, Expr, Op};
use super::bloc::{Figure, Share};
use super::lexer::{describe_char, tokenize, Tok, Token};
use super::{ParseError, MAX_DEPTH, MAX_LEN};
use crate::money::Cents;
use crate::slug::{Slug, SlugError};

/// Parses a whole condition.
pub(super) fn parse(src: &str) -> Result<Expr, ParseError> {
    let len = src.chars().count();
    if len > MAX_LEN {
        return Err(ParseError::new(
            MAX_LEN + 1,
            format!("a condition may be at most {MAX_LEN} characters long (this one has {len})"),
        ));
    }
    let tokens = tokenize(src);
    let mut parser = Parser {
        eof: Token {
            tok: Tok::End,
            column: len + 1,
            text: String::new(),
        },
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    parser.finish()?;
    Ok(expr)
}

/// What a name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Name {
    And,
    Or,
    Not,
    Const(bool),
    Mutual,
    Signed,
    Endorses,
    Kept,
    KeptAll,
    Count(Count),
    Pledged,
    Today,
    /// `with_bloc`, `with_platform`, `rice` (issue 17).
    Figure(FigureName),
}

/// Which cohesion figure a name reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FigureName {
    WithBloc,
    WithPlatform,
    Rice,
}

/// The names a condition may use, for lookup and for suggestions.
const NAMES: [(&str, Name); 19] = [
    ("signers", Name::Count(Count::Signers)),
    ("states", Name::Count(Count::States)),
    ("mutual", Name::Mutual),
    ("signed", Name::Signed),
    ("endorses", Name::Endorses),
    ("kept", Name::Kept),
    ("kept_all", Name::KeptAll),
    ("pledged", Name::Pledged),
    ("pledgers", Name::Count(Count::Pledgers)),
    ("hours", Name::Count(Count::Hours)),
    ("today", Name::Today),
    ("true", Name::Const(true)),
    ("false", Name::Const(false)),
    ("and", Name::And),
    ("or", Name::Or),
    ("not", Name::Not),
    ("with_bloc", Name::Figure(FigureName::WithBloc)),
    ("with_platform", Name::Figure(FigureName::WithPlatform)),
    ("rice", Name::Figure(FigureName::Rice)),
];

fn lookup(word: &str) -> Option<Name> {
    NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, meaning)| *meaning)
}

/// A variable that is compared with a literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    Count(Count),
    Pledged,
    Today,
}

impl Var {
    fn name(self) -> &'static str {
        match self {
            Var::Count(count) => count.name(),
            Var::Pledged => "pledged",
            Var::Today => "today",
        }
    }

    /// What a literal of the right kind looks like, for "expected ..." messages.
    fn expected_literal(self) -> &'static str {
        match self {
            Var::Count(_) => "a number",
            Var::Pledged => "an amount like $500,000",
            Var::Today => "a date like 2028-03-01",
        }
    }

    /// "'signers' is a number of candidates", for type errors.
    fn kind(self) -> String {
        let kind = match self {
            Var::Count(Count::Signers) => "a number of candidates",
            Var::Count(Count::States) => "a number of states",
            Var::Count(Count::Pledgers) => "a number of supporters",
            Var::Count(Count::Hours) => "a number of hours a week",
            Var::Pledged => "an amount of money",
            Var::Today => "a date",
        };
        format!("'{}' is {kind}", self.name())
    }
}

/// A literal as written, before it is checked against the variable it is compared with.
#[derive(Clone, Copy)]
enum LiteralKind {
    Number,
    Money,
    Date,
}

impl LiteralKind {
    fn of(tok: &Tok) -> Option<LiteralKind> {
        match tok {
            Tok::Number(_) => Some(LiteralKind::Number),
            Tok::Money(_) => Some(LiteralKind::Money),
            Tok::Date(_) => Some(LiteralKind::Date),
            _ => None,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            LiteralKind::Number => "a plain number",
            LiteralKind::Money => "an amount of money",
            LiteralKind::Date => "a date",
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    /// Returned by `peek` past the end; never consumed.
    eof: Token,
    pos: usize,
    /// Current nesting of parentheses and `not`.
    depth: usize,
}

fn err(token: &Token, message: impl Into<String>) -> ParseError {
    ParseError::new(token.column, message)
}

impl Parser {
    /// The next token, or the lexer's error if that is what comes next.
    fn peek(&self) -> Result<&Token, ParseError> {
        let token = self.tokens.get(self.pos).unwrap_or(&self.eof);
        match &token.tok {
            Tok::Bad(error) => Err(error.clone()),
            _ => Ok(token),
        }
    }

    /// Consumes and returns the next token.
    fn next(&mut self) -> Result<Token, ParseError> {
        let token = self.peek()?.clone();
        if token.tok != Tok::End {
            self.pos += 1;
        }
        Ok(token)
    }

    fn previous(&self) -> Option<&Token> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i))
    }

    /// "expected {what} after '{previous}', found '{next}'" at the next token.
    fn expected(&self, what: &str) -> ParseError {
        self.expected_with(what, None)
    }

    /// Like [`Parser::expected`], followed by "; {hint}".
    fn expected_with(&self, what: &str, hint: Option<&str>) -> ParseError {
        let token = match self.peek() {
            Ok(token) => token,
            Err(lex_error) => return lex_error,
        };
        let after = self
            .previous()
            .map(|previous| format!(" after {}", previous.describe()))
            .unwrap_or_default();
        let found = if token.tok == Tok::End {
            String::new()
        } else {
            format!(", found {}", token.describe())
        };
        let hint = hint.map(|hint| format!("; {hint}")).unwrap_or_default();
        err(token, format!("expected {what}{after}{found}{hint}"))
    }

    /// Whether the next token is the keyword `name`.
    fn at(&self, name: Name) -> Result<bool, ParseError> {
        Ok(matches!(&self.peek()?.tok, Tok::Word(w) if lookup(w) == Some(name)))
    }

    /// Enters one level of nesting at `token`.
    fn enter(&mut self, token: &Token) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                token,
                format!("conditions may nest at most {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.and()?];
        while self.at(Name::Or)? {
            self.next()?;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Any(items)
        })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.not()?];
        while self.at(Name::And)? {
            self.next()?;
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::All(items)
        })
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if !self.at(Name::Not)? {
            return self.atom();
        }
        let token = self.next()?;
        self.enter(&token)?;
        let inner = self.not()?;
        self.leave();
        Ok(Expr::Not(Box::new(inner)))
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        let token = self.peek()?.clone();
        match &token.tok {
            Tok::Open => self.parenthesized(&token),
            Tok::Word(word) => match lookup(word) {
                Some(Name::Const(b)) => {
                    self.next()?;
                    self.boolean(Expr::Const(b))
                }
                Some(Name::Mutual) => {
                    self.next()?;
                    self.boolean(Expr::Mutual)
                }
                Some(Name::Signed) => self.signed(),
                Some(Name::Endorses) => self.endorses(),
                Some(Name::Kept) => self.kept(),
                Some(Name::KeptAll) => {
                    self.next()?;
                    self.boolean(Expr::KeptAll)
                }
                Some(Name::Count(count)) => self.comparison(Var::Count(count)),
                Some(Name::Pledged) => self.comparison(Var::Pledged),
                Some(Name::Today) => self.comparison(Var::Today),
                Some(Name::Figure(name)) => self.figure(name),
                Some(Name::And | Name::Or | Name::Not) => Err(self.expected("a condition")),
                None => Err(unknown_name(&token, word)),
            },
            Tok::Number(_) | Tok::Money(_) | Tok::Date(_) => self.reversed_comparison(),
            _ => Err(self.expected("a condition")),
        }
    }

    /// `( condition )`, at the `(` token `open`.
    fn parenthesized(&mut self, open: &Token) -> Result<Expr, ParseError> {
        self.next()?;
        self.enter(open)?;
        let inner = self.or()?;
        self.leave();
        let next = self.peek()?;
        let message = match next.tok {
            Tok::Close => {
                self.next()?;
                return Ok(inner);
            }
            Tok::Cmp(_) => return Err(chained(next)),
            Tok::End => format!("expected ')' to close the '(' at column {}", open.column),
            _ => format!(
                "expected 'and', 'or' or ')' to close the '(' at column {}, found {}",
                open.column,
                next.describe()
            ),
        };
        Err(err(next, message))
    }

    /// `signed("slug")`, at `signed`.
    fn signed(&mut self) -> Result<Expr, ParseError> {
        self.next()?;
        self.open_call("signed(\"jane-doe\")")?;
        let who = self.slug("a candidate name in double quotes", "jane-doe")?;
        self.close_call()?;
        self.boolean(Expr::Signed(who))
    }

    /// `kept("cslug")`, at `kept`.
    fn kept(&mut self) -> Result<Expr, ParseError> {
        self.next()?;
        self.open_call("kept(\"jane-doe\")")?;
        let who = self.slug("a candidate name in double quotes", "jane-doe")?;
        self.close_call()?;
        self.boolean(Expr::Kept(who))
    }

    /// `endorses("from", "to")`, at `endorses`.
    fn endorses(&mut self) -> Result<Expr, ParseError> {
        self.next()?;
        self.open_call("endorses(\"jane-doe\", \"john-roe\")")?;
        let from = self.slug("a candidate name in double quotes", "jane-doe")?;
        if self.peek()?.tok != Tok::Comma {
            return Err(self.expected("',' and the name of the endorsed candidate"));
        }
        self.next()?;
        let to = self.slug("the endorsed candidate's name in double quotes", "john-roe")?;
        self.close_call()?;
        self.boolean(Expr::Endorses(from, to))
    }

    /// `with_bloc("slug") op share`, `with_platform("slug") op share` or
    /// `rice op share`, at the name.
    fn figure(&mut self, name: FigureName) -> Result<Expr, ParseError> {
        self.next()?;
        let figure = match name {
            FigureName::Rice => Figure::Rice,
            FigureName::WithBloc | FigureName::WithPlatform => {
                let example = if name == FigureName::WithBloc {
                    "with_bloc(\"jane-doe\") >= 0.9"
                } else {
                    "with_platform(\"jane-doe\") >= 0.8"
                };
                self.open_call(example)?;
                let who = self.slug("a candidate name in double quotes", "jane-doe")?;
                self.close_call()?;
                if name == FigureName::WithBloc {
                    Figure::WithBloc(who)
                } else {
                    Figure::WithPlatform(who)
                }
            }
        };
        let Tok::Cmp(op) = self.peek()?.tok else {
            return Err(self.expected("a comparison like '>='"));
        };
        self.next()?;
        let literal = self.peek()?.clone();
        let Tok::Number(text) = &literal.tok else {
            return Err(self.expected("a share from 0 to 1, like 0.9"));
        };
        let share = Share::parse(text).map_err(|m| err(&literal, m))?;
        self.next()?;
        Ok(Expr::Figure(figure, op, share))
    }

    /// A boolean atom just read; it must not be compared with anything.
    fn boolean(&mut self, expr: Expr) -> Result<Expr, ParseError> {
        let next = self.peek()?;
        if let Tok::Cmp(op) = next.tok {
            let what = match &expr {
                Expr::Signed(_) => "signed(...)",
                Expr::Endorses(..) => "endorses(...)",
                Expr::Kept(_) => "kept(...)",
                Expr::KeptAll => "kept_all",
                Expr::Const(true) => "true",
                Expr::Const(false) => "false",
                _ => "mutual",
            };
            return Err(err(
                next,
                format!(
                    "'{what}' is already true or false, so it can't be compared with '{}'; use it alone, or with 'not'",
                    op.symbol()
                ),
            ));
        }
        Ok(expr)
    }

    fn open_call(&mut self, example: &str) -> Result<(), ParseError> {
        if self.peek()?.tok != Tok::Open {
            return Err(self.expected_with("'('", Some(&format!("write it like {example}"))));
        }
        self.next()?;
        Ok(())
    }

    fn close_call(&mut self) -> Result<(), ParseError> {
        if self.peek()?.tok != Tok::Close {
            return Err(self.expected("')'"));
        }
        self.next()?;
        Ok(())
    }

    fn slug(&mut self, what: &str, example: &str) -> Result<String, ParseError> {
        let token = self.peek()?.clone();
        let Tok::Str(text) = &token.tok else {
            return Err(self.expected_with(what, Some(&format!("write it like \"{example}\""))));
        };
        let slug = Slug::parse(text).map_err(|e| {
            let reason = match e {
                SlugError::Empty => "a candidate name must not be empty".to_owned(),
                SlugError::TooLong => "a candidate name must be at most 64 characters".to_owned(),
                SlugError::BadChar(c) => format!(
                    "a candidate name may use only lowercase letters, digits and hyphens, like \"jane-doe\" (found {})",
                    describe_char(c)
                ),
                SlugError::BadHyphen => {
                    "a candidate name must not start or end with a hyphen, or have two in a row"
                        .to_owned()
                }
            };
            err(&token, reason)
        })?;
        self.next()?;
        Ok(slug.as_str().to_owned())
    }

    /// `var op literal`, at `var`.
    fn comparison(&mut self, var: Var) -> Result<Expr, ParseError> {
        self.next()?;
        let Tok::Cmp(op) = self.peek()?.tok else {
            return Err(self.expected("a comparison like '>='"));
        };
        self.next()?;
        let literal = self.peek()?.clone();
        if LiteralKind::of(&literal.tok).is_none() {
            return Err(self.expected(var.expected_literal()));
        }
        self.next()?;
        typed(var, op, &literal)
    }

    /// `literal op var`, at the literal.
    fn reversed_comparison(&mut self) -> Result<Expr, ParseError> {
        let literal = self.next()?;
        let Tok::Cmp(op) = self.peek()?.tok else {
            return Err(self.expected("a comparison like '<='"));
        };
        self.next()?;
        let token = self.peek()?.clone();
        let var = match &token.tok {
            Tok::Word(word) => match lookup(word) {
                Some(Name::Count(count)) => Var::Count(count),
                Some(Name::Pledged) => Var::Pledged,
                Some(Name::Today) => Var::Today,
                Some(
                    Name::Mutual
                    | Name::Signed
                    | Name::Endorses
                    | Name::Kept
                    | Name::KeptAll
                    | Name::Const(_),
                ) => {
                    return Err(err(
                        &token,
                        format!(
                            "'{}' is already true or false, so it can't be compared with '{}'; use it alone, or with 'not'",
                            word.to_lowercase(),
                            op.symbol()
                        ),
                    ))
                }
                Some(Name::Figure(_)) => {
                    return Err(err(
                        &token,
                        format!(
                            "write the figure first, like {} >= 0.9",
                            word.to_lowercase()
                        ),
                    ))
                }
                Some(Name::And | Name::Or | Name::Not) => {
                    return Err(self.expected("a name like signers, pledged or today"))
                }
                None => return Err(unknown_name(&token, word)),
            },
            _ => return Err(self.expected("a name like signers, pledged or today")),
        };
        self.next()?;
        typed(var, op.swapped(), &literal)
    }

    /// After the whole condition: only the end may follow.
    fn finish(&self) -> Result<(), ParseError> {
        let token = self.peek()?;
        match token.tok {
            Tok::End => Ok(()),
            Tok::Close => Err(err(token, "unexpected ')' with no matching '('")),
            Tok::Cmp(_) => Err(chained(token)),
            _ => Err(err(
                token,
                format!(
                    "unexpected {}; expected 'and', 'or' or the end of the condition",
                    token.describe()
                ),
            )),
        }
    }
}

fn chained(token: &Token) -> ParseError {
    err(
        token,
        format!(
            "unexpected {}: comparisons can't be chained; join them with 'and', like signers >= 2 and signers <= 5",
            token.describe()
        ),
    )
}

/// Checks `literal` against `var` and builds `var op literal`.
fn typed(var: Var, op: Op, literal: &Token) -> Result<Expr, ParseError> {
    let mismatch = |like: &str| {
        let kind = LiteralKind::of(&literal.tok).map_or("that", LiteralKind::noun);
        err(
            literal,
            format!("{}, not {kind}; compare it with {like}", var.kind()),
        )
    };
    match (var, &literal.tok) {
        (Var::Count(count), Tok::Number(text)) => {
            Ok(Expr::Count(count, op, whole_number(var, text, literal)?))
        }
        (Var::Count(_), _) => Err(mismatch("a whole number like 5")),
        (Var::Pledged, Tok::Money(text)) => Ok(Expr::Pledged(op, amount(text, literal)?)),
        (Var::Pledged, Tok::Number(text)) => {
            let like = match amount(text, literal) {
                Ok(_) => format!("${text}"),
                Err(_) => "$500,000".to_owned(),
            };
            Err(err(
                literal,
                format!("write money with a dollar sign, like {like}"),
            ))
        }
        (Var::Pledged, _) => Err(mismatch("an amount like $500,000")),
        (Var::Today, Tok::Date(text)) => Ok(Expr::Today(op, date(text, literal)?)),
        (Var::Today, _) => Err(mismatch("a date like 2028-03-01")),
    }
}

/// Checks that commas, if any, group thousands: `1,000`, `12,345,678`.
fn grouping_ok(digits: &str) -> bool {
    let mut groups = digits.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    !digits.contains(',') || (first_ok && groups.all(|g| g.len() == 3))
}

fn whole_number(var: Var, text: &str, token: &Token) -> Result<u64, ParseError> {
    if text.contains('.') {
        return Err(err(
            token,
            format!(
                "{}; write a whole number, without a decimal point",
                var.kind()
            ),
        ));
    }
    if !grouping_ok(text) {
        return Err(err(
            token,
            "commas must separate groups of three digits, like 1,000",
        ));
    }
    let digits: String = text.chars().filter(|c| *c != ',').collect();
    digits
        .parse()
        .map_err(|_| err(token, format!("{text} is too large a number")))
}

fn amount(text: &str, token: &Token) -> Result<Cents, ParseError> {
    let digits = text.strip_prefix('$').unwrap_or(text);
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, ""));
    if !grouping_ok(whole) {
        return Err(err(
            token,
            "commas must separate groups of three digits, like $500,000",
        ));
    }
    if cents.contains(['.', ',']) || cents.len() > 2 {
        return Err(err(
            token,
            "write amounts with at most two digits of cents, like $12.50",
        ));
    }
    text.parse()
        .map_err(|_| err(token, format!("{text} is too large an amount")))
}

fn date(text: &str, token: &Token) -> Result<NaiveDate, ParseError> {
    let parts: Vec<&str> = text.split('-').collect();
    let shape_ok = parts.iter().map(|p| p.len()).eq([4, 2, 2]);
    let field = |i: usize| parts.get(i).and_then(|p| p.parse::<u32>().ok());
    let (Some(year), Some(month), Some(day), true) = (field(0), field(1), field(2), shape_ok)
    else {
        return Err(err(token, "write dates as year-month-day, like 2028-03-01"));
    };
    i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(|| err(token, format!("{text} is not a real date")))
}

fn unknown_name(token: &Token, word: &str) -> ParseError {
    let lower = word.to_lowercase();
    let best = NAMES
        .iter()
        .map(|(name, _)| (edit_distance(&lower, name), *name))
        .min_by_key(|(distance, _)| *distance);
    let message = match best {
        Some((distance, name)) if distance <= if name.len() <= 4 { 1 } else { 2 } => {
            format!("unknown name '{word}' (did you mean '{name}'?)")
        }
        _ => format!(
            "unknown name '{word}'; a condition can use signers, states, mutual, signed, endorses, kept, kept_all, pledged, pledgers, hours, today, with_bloc, with_platform and rice"
        ),
    };
    err(token, message)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}
