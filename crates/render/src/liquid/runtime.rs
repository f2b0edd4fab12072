//! The runtime frames: lookups as Ruby Liquid under Jekyll makes them (a
//! missing variable, key or index is nil, never an error).
//!
//! `liquid-core`'s own frames answer a missing key of an existing variable
//! with an error; every frame of a Gazette render is one of these instead:
//! [`Globals`] at the bottom (the render's named values, assignments and
//! counters) and [`Scope`] for what a loop or an include adds.

use std::cell::RefCell;
use std::collections::BTreeSet;

use liquid_core::model::{KString, KStringCow, ScalarCow, ValueCow, try_find};
use liquid_core::runtime::{PartialStore, Registers, RuntimeCore};
use liquid_core::{Object, ObjectView, Runtime, Value, ValueView};

/// The bottom of the stack: named values (`site`, `page`, `content`,
/// `layout`, …), borrowed so a site's data is not copied for every page,
/// then what `assign` and `capture` stored.
pub(crate) struct Globals<'a> {
    pub core: &'a RuntimeCore<'a>,
    pub named: Vec<(&'a str, &'a Value)>,
    pub assigned: RefCell<Object>,
    /// What `increment` and `decrement` count.
    pub counters: RefCell<Object>,
}

impl Runtime for Globals<'_> {
    fn partials(&self) -> &dyn PartialStore {
        self.core.partials()
    }

    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        None
    }

    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        let mut roots: BTreeSet<KStringCow<'_>> = self
            .named
            .iter()
            .map(|(name, _)| KStringCow::from_ref(name))
            .collect();
        roots.extend(
            self.assigned
                .borrow()
                .keys()
                .map(|key| KStringCow::from_string(key.to_string())),
        );
        roots
    }

    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        let root = path.first()?.to_kstr();
        {
            let assigned = self.assigned.borrow();
            if assigned.contains_key(root.as_str()) {
                return try_find(assigned.as_value(), path)
                    .map(|v| ValueCow::Owned(v.into_owned()));
            }
        }
        let (_, value) = self.named.iter().find(|(name, _)| *name == root.as_str())?;
        try_find(*value, &path[1..])
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> liquid_core::Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, name: KString, value: Value) -> Option<Value> {
        self.assigned.borrow_mut().insert(name, value)
    }

    fn set_index(&self, name: KString, value: Value) -> Option<Value> {
        self.counters.borrow_mut().insert(name, value)
    }

    fn get_index<'a>(&'a self, name: &str) -> Option<ValueCow<'a>> {
        self.counters
            .borrow()
            .get(name)
            .map(|value| ValueCow::Owned(value.clone()))
    }

    fn registers(&self) -> &Registers {
        self.core.registers()
    }
}

/// Names a loop or an include adds for its body; everything else (and every
/// assignment) goes to the frame below.
pub(crate) struct Scope<'a> {
    pub parent: &'a dyn Runtime,
    pub names: Vec<(&'a str, &'a dyn ValueView)>,
}

impl Runtime for Scope<'_> {
    fn partials(&self) -> &dyn PartialStore {
        self.parent.partials()
    }

    fn name(&self) -> Option<liquid_core::model::KStringRef<'_>> {
        self.parent.name()
    }

    fn roots(&self) -> BTreeSet<KStringCow<'_>> {
        let mut roots = self.parent.roots();
        roots.extend(
            self.names
                .iter()
                .map(|(name, _)| KStringCow::from_ref(name)),
        );
        roots
    }

    fn try_get(&self, path: &[ScalarCow<'_>]) -> Option<ValueCow<'_>> {
        let root = path.first()?.to_kstr();
        match self
            .names
            .iter()
            .rev()
            .find(|(name, _)| *name == root.as_str())
        {
            Some((_, value)) => try_find(*value, &path[1..]),
            None => self.parent.try_get(path),
        }
    }

    fn get(&self, path: &[ScalarCow<'_>]) -> liquid_core::Result<ValueCow<'_>> {
        Ok(self.try_get(path).unwrap_or(ValueCow::Owned(Value::Nil)))
    }

    fn set_global(&self, name: KString, value: Value) -> Option<Value> {
        self.parent.set_global(name, value)
    }

    fn set_index(&self, name: KString, value: Value) -> Option<Value> {
        self.parent.set_index(name, value)
    }

    fn get_index<'a>(&'a self, name: &str) -> Option<ValueCow<'a>> {
        self.parent.get_index(name)
    }

    fn registers(&self) -> &Registers {
        self.parent.registers()
    }
}
