//! Conditions of `if`, `unless`, `elsif` and `where_exp`, as Ruby Liquid 4
//! evaluates them: only `nil` and `false` are false; `and` and `or` group
//! from the right (`a or b and c` is `a or (b and c)`); comparing values
//! that cannot be ordered is false; `contains` on nil (or of nil) is false.

use liquid_core::model::{State, ValueViewCmp};
use liquid_core::parser::TryMatchToken;
use liquid_core::{Expression, Result, Runtime, TagTokenIter, ValueView};

/// A value as Ruby's `to_s` writes it in filters and conditions (nil is empty).
pub(super) fn text(value: &dyn ValueView) -> String {
    if value.is_nil() {
        String::new()
    } else {
        value.to_kstr().into_owned().to_string()
    }
}

#[derive(Debug)]
pub(crate) enum Condition {
    Value(Expression),
    Compare(Expression, Operator, Expression),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Operator {
    Equals,
    NotEquals,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
    Contains,
}

impl Condition {
    /// Reads a condition from the rest of a tag.
    pub(crate) fn parse(arguments: &mut TagTokenIter<'_>) -> Result<Self> {
        let mut parts: Vec<(Condition, Option<&'static str>)> = Vec::new();
        loop {
            let left = value(arguments)?;
            let mut joiner = None;
            let condition = match arguments.next() {
                None => Condition::Value(left),
                Some(token) => {
                    let operator = match token.as_str() {
                        "==" => Some(Operator::Equals),
                        "!=" | "<>" => Some(Operator::NotEquals),
                        "<" => Some(Operator::Less),
                        ">" => Some(Operator::Greater),
                        "<=" => Some(Operator::LessOrEqual),
                        ">=" => Some(Operator::GreaterOrEqual),
                        "contains" => Some(Operator::Contains),
                        "and" => {
                            joiner = Some("and");
                            None
                        }
                        "or" => {
                            joiner = Some("or");
                            None
                        }
                        _ => {
                            return token
                                .raise_custom_error("an operator, `and` or `or` expected")
                                .into_err();
                        }
                    };
                    match operator {
                        Some(operator) => {
                            let right = value(arguments)?;
                            if let Some(token) = arguments.next() {
                                match token.as_str() {
                                    "and" => joiner = Some("and"),
                                    "or" => joiner = Some("or"),
                                    _ => {
                                        return token
                                            .raise_custom_error("`and` or `or` expected")
                                            .into_err();
                                    }
                                }
                            }
                            Condition::Compare(left, operator, right)
                        }
                        None => Condition::Value(left),
                    }
                }
            };
            parts.push((condition, joiner));
            if joiner.is_none() {
                break;
            }
        }
        let (mut result, _) = parts.pop().expect("one condition at least");
        while let Some((condition, joiner)) = parts.pop() {
            result = match joiner {
                Some("and") => Condition::And(Box::new(condition), Box::new(result)),
                _ => Condition::Or(Box::new(condition), Box::new(result)),
            };
        }
        Ok(result)
    }

    pub(crate) fn evaluate(&self, runtime: &dyn Runtime) -> Result<bool> {
        Ok(match self {
            Condition::Value(value) => truthy(value.evaluate(runtime)?.as_view()),
            Condition::Compare(left, operator, right) => {
                let left = left.evaluate(runtime)?;
                let right = right.evaluate(runtime)?;
                compare(left.as_view(), *operator, right.as_view())
            }
            Condition::And(a, b) => a.evaluate(runtime)? && b.evaluate(runtime)?,
            Condition::Or(a, b) => a.evaluate(runtime)? || b.evaluate(runtime)?,
        })
    }
}

fn value(arguments: &mut TagTokenIter<'_>) -> Result<Expression> {
    let token = arguments.expect_next("a value expected")?;
    match token.expect_value() {
        TryMatchToken::Matches(value) => Ok(value),
        TryMatchToken::Fails(token) => token.raise_error().into_err(),
    }
}

/// Ruby's truthiness: only nil and false are false.
pub(crate) fn truthy(value: &dyn ValueView) -> bool {
    !(value.is_nil() || value.as_scalar().and_then(|s| s.to_bool()) == Some(false))
        && value.query_state(State::Truthy)
}

fn number(value: &dyn ValueView) -> Option<f64> {
    match value.type_name() {
        "whole number" | "fractional number" => value.as_scalar()?.to_float(),
        _ => None,
    }
}

pub(crate) fn equal(left: &dyn ValueView, right: &dyn ValueView) -> bool {
    ValueViewCmp::new(left) == ValueViewCmp::new(right)
}

pub(crate) fn compare(left: &dyn ValueView, operator: Operator, right: &dyn ValueView) -> bool {
    let order = || match (number(left), number(right)) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ if left.type_name() == "string" && right.type_name() == "string" => {
            Some(left.to_kstr().as_str().cmp(right.to_kstr().as_str()))
        }
        _ => None,
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    match operator {
        Operator::Equals => equal(left, right),
        Operator::NotEquals => !equal(left, right),
        Operator::Less => order() == Some(Less),
        Operator::Greater => order() == Some(Greater),
        Operator::LessOrEqual => matches!(order(), Some(Less | Equal)),
        Operator::GreaterOrEqual => matches!(order(), Some(Greater | Equal)),
        Operator::Contains => contains(left, right),
    }
}

fn contains(left: &dyn ValueView, right: &dyn ValueView) -> bool {
    if left.is_nil() || right.is_nil() {
        return false;
    }
    if let Some(array) = left.as_array() {
        return array.values().any(|item| equal(item, right));
    }
    if let Some(object) = left.as_object() {
        return object.contains_key(right.to_kstr().as_str());
    }
    if left.type_name() == "string" {
        return left.to_kstr().contains(right.to_kstr().as_str());
    }
    false
}
