//! A tiny JSON writer for the hand-off payload (serde_json would add ~60 KB to the wasm).
//! It only writes; the browser's `JSON.parse` reads the result back when a JS value is needed.

/// Builds one JSON object; nested objects and arrays are written through the same buffer.
pub struct Json {
    out: String,
    first: Vec<bool>,
}

impl Json {
    pub fn object() -> Json {
        Json { out: String::from("{"), first: vec![true] }
    }

    fn sep(&mut self) {
        if let Some(f) = self.first.last_mut() {
            if !*f {
                self.out.push(',');
            }
            *f = false;
        }
    }

    fn key(&mut self, k: &str) {
        self.sep();
        quote(&mut self.out, k);
        self.out.push(':');
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        quote(&mut self.out, v);
        self
    }

    /// Writes the string, or `null`.
    pub fn opt(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.str(k, v),
            None => {
                self.key(k);
                self.out.push_str("null");
                self
            }
        }
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
        self
    }

    pub fn num(&mut self, k: &str, v: f64) -> &mut Self {
        self.key(k);
        if v.is_finite() {
            self.out.push_str(&format!("{v}"));
        } else {
            self.out.push_str("null");
        }
        self
    }

    /// A string item inside the current array.
    pub fn value(&mut self, v: &str) -> &mut Self {
        self.sep();
        quote(&mut self.out, v);
        self
    }

    /// Already-encoded JSON inside the current array.
    pub fn raw(&mut self, json: &str) -> &mut Self {
        self.sep();
        self.out.push_str(json);
        self
    }

    /// Opens an array under `k`; items are objects opened with [`Json::item`].
    pub fn array(&mut self, k: &str) -> &mut Self {
        self.key(k);
        self.out.push('[');
        self.first.push(true);
        self
    }

    /// Opens an object inside the current array.
    pub fn item(&mut self) -> &mut Self {
        self.sep();
        self.out.push('{');
        self.first.push(true);
        self
    }

    pub fn end_item(&mut self) -> &mut Self {
        self.out.push('}');
        self.first.pop();
        self
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.out.push(']');
        self.first.pop();
        self
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `s` as a JSON string literal (`<` escaped too, see the shared writer).
pub fn quote(out: &mut String, s: &str) {
    kefu_core::reply::gaps::push_json_str(out, s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested() {
        let mut j = Json::object();
        j.str("a", "x\"y\n<").opt("b", None).bool("c", true).num("d", 1.5);
        j.array("t");
        j.item().str("k", "1").end_item();
        j.item().str("k", "2").end_item();
        j.end_array();
        assert_eq!(j.finish(), r#"{"a":"x\"y\n\u003c","b":null,"c":true,"d":1.5,"t":[{"k":"1"},{"k":"2"}]}"#);
    }
}
