//! Text to tokens, each with the column it starts at.

use super::ast::Op;
use super::ParseError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// A name or keyword, as written.
    Word(String),
    /// Digits, possibly with commas and a decimal point; checked by the parser,
    /// which knows what kind of number is expected.
    Number(String),
    /// `$` followed by a number, as written.
    Money(String),
    /// Digits and hyphens, as written: `2028-03-01`.
    Date(String),
    /// The contents of a double-quoted string.
    Str(String),
    Open,
    Close,
    Comma,
    Cmp(Op),
    /// The lexer stopped here; the parser reports this error when it gets this far.
    Bad(ParseError),
    End,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub tok: Tok,
    /// 1-based column, in characters.
    pub column: usize,
    /// The token as written.
    pub text: String,
}

impl Token {
    /// How an error message refers to this token.
    pub(super) fn describe(&self) -> String {
        match &self.tok {
            Tok::End => "the end".to_owned(),
            Tok::Str(s) => format!("\"{s}\""),
            _ => format!("'{}'", self.text),
        }
    }
}

/// Splits `src` into tokens. The last token is [`Tok::End`], or [`Tok::Bad`]
/// if the lexer met something it cannot read (the parser reports the error
/// only if it gets that far, so the leftmost error wins).
pub(super) fn tokenize(src: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        chars: src.chars().collect(),
        pos: 0,
    };
    let mut tokens = Vec::new();
    loop {
        lexer.skip_whitespace();
        let start = lexer.pos;
        match lexer.next_token() {
            Ok(Tok::End) => {
                tokens.push(Token {
                    tok: Tok::End,
                    column: start + 1,
                    text: String::new(),
                });
                return tokens;
            }
            Ok(tok) => tokens.push(Token {
                tok,
                column: start + 1,
                text: lexer.text(start),
            }),
            Err(error) => {
                tokens.push(Token {
                    tok: Tok::Bad(error),
                    column: start + 1,
                    text: lexer.text(start),
                });
                return tokens;
            }
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
    }

    fn text(&self, start: usize) -> String {
        self.chars
            .get(start..self.pos)
            .unwrap_or_default()
            .iter()
            .collect()
    }

    fn skip_whitespace(&mut self) {
        self.bump_while(char::is_whitespace);
    }

    /// An error pointing at the character at `pos` (0-based).
    fn error_at(pos: usize, message: impl Into<String>) -> ParseError {
        ParseError::new(pos + 1, message)
    }

    fn next_token(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        let Some(c) = self.bump() else {
            return Ok(Tok::End);
        };
        let tok = match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            ',' => Tok::Comma,
            '"' => self.string(start)?,
            '$' => {
                if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(Self::error_at(
                        self.pos,
                        "expected an amount after '$', like $500,000",
                    ));
                }
                self.number_body();
                Tok::Money(self.text(start))
            }
            c if c.is_ascii_digit() => {
                self.pos = start;
                self.number_or_date(start)
            }
            c if c.is_alphabetic() || c == '_' => {
                self.bump_while(|c| c.is_alphanumeric() || c == '_');
                Tok::Word(self.text(start))
            }
            '<' | '>' | '=' | '!' => self.comparison(c, start)?,
            '&' => return Err(Self::error_at(start, "write 'and' instead of '&&'")),
            '|' => return Err(Self::error_at(start, "write 'or' instead of '||'")),
            '≥' => return Err(Self::error_at(start, "write '>=' instead of '≥'")),
            '≤' => return Err(Self::error_at(start, "write '<=' instead of '≤'")),
            '≠' => return Err(Self::error_at(start, "write '!=' instead of '≠'")),
            '\'' | '‘' | '’' | '“' | '”' => {
                return Err(Self::error_at(
                    start,
                    format!("write candidate names in straight double quotes, like \"jane-doe\", not with {c}"),
                ))
            }
            c => {
                return Err(Self::error_at(
                    start,
                    format!("unexpected character {}", describe_char(c)),
                ))
            }
        };
        Ok(tok)
    }

    /// After the opening quote at `start`.
    fn string(&mut self, start: usize) -> Result<Tok, ParseError> {
        self.bump_while(|c| c != '"');
        if self.bump() != Some('"') {
            return Err(Self::error_at(
                self.pos,
                format!(
                    "expected '\"' to close the name that starts at column {}",
                    start + 1
                ),
            ));
        }
        let inner = self
            .chars
            .get(start + 1..self.pos - 1)
            .unwrap_or_default()
            .iter()
            .collect();
        Ok(Tok::Str(inner))
    }

    /// Digits, then `,digits` or `.digits` groups. Grouping is checked by the parser.
    fn number_body(&mut self) {
        self.bump_while(|c| c.is_ascii_digit());
        while matches!(self.peek(), Some(',' | '.'))
            && self.peek_at(1).is_some_and(|c| c.is_ascii_digit())
        {
            self.pos += 1;
            self.bump_while(|c| c.is_ascii_digit());
        }
    }

    fn number_or_date(&mut self, start: usize) -> Tok {
        self.bump_while(|c| c.is_ascii_digit());
        if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.bump_while(|c| c.is_ascii_digit() || c == '-');
            return Tok::Date(self.text(start));
        }
        self.pos = start;
        self.number_body();
        Tok::Number(self.text(start))
    }

    /// After the first character `c` of a comparison, at `start`.
    fn comparison(&mut self, c: char, start: usize) -> Result<Tok, ParseError> {
        let followed_by_eq = self.peek() == Some('=');
        if followed_by_eq {
            self.pos += 1;
        }
        let op = match (c, followed_by_eq) {
            ('<', false) => Op::Lt,
            ('<', true) => Op::Le,
            ('>', false) => Op::Gt,
            ('>', true) => Op::Ge,
            ('=', true) => Op::Eq,
            ('!', true) => Op::Ne,
            ('=', false) => {
                let hint = match self.peek() {
                    Some('>') => "write '>=' for 'at least'",
                    Some('<') => "write '<=' for 'at most'",
                    _ => "write '==' to test for equality",
                };
                return Err(Self::error_at(start, hint));
            }
            _ => return Err(Self::error_at(start, "write 'not' instead of '!'")),
        };
        Ok(Tok::Cmp(op))
    }
}

/// How an error message shows a character: invisible ones by code point.
pub(super) fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}
