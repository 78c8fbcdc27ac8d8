//! IndexedDB as a few async calls (web-sys only has the callback API). The hand-off outbox
//! keeps its cases and photos here: they survive a reload, a closed tab and a browser
//! restart; the latest conversation is kept here too ([`crate::history`]). Writes resolve
//! when their transaction has committed.
//!
//! Where IndexedDB cannot be opened (some private modes, storage disabled) the same calls
//! work on an in-memory map: nothing is lost while the page stays open.

use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "kefu";
const DB_VERSION: u32 = 2;
/// Hand-off cases waiting to be delivered (key: case id).
pub const CASES: &str = "cases";
/// Photos: drafts in the open form, photos of cases in the outbox, and sent photos' thumbnails
/// (key: attachment id).
pub const PHOTOS: &str = "photos";
/// The latest conversation, for other tabs and later visits ([`crate::history`]).
pub const HISTORY: &str = "history";

enum Backend {
    Idb(IdbDatabase),
    Memory,
}

thread_local! {
    static DB: RefCell<Option<std::rc::Rc<Backend>>> = const { RefCell::new(None) };
    static MEMORY: RefCell<BTreeMap<(String, String), JsValue>> = const { RefCell::new(BTreeMap::new()) };
}

/// Resolves when `req` succeeds (with its result) or fails.
fn request(req: &IdbRequest) -> JsFuture {
    let req2 = req.clone();
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        let r = req2.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req2.clone();
        let fail = Closure::once_into_js(move || {
            let e = r.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "IndexedDB request failed".into());
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req2.set_onsuccess(Some(ok.unchecked_ref()));
        req2.set_onerror(Some(fail.unchecked_ref()));
    });
    JsFuture::from(p)
}

/// Resolves when `tx` has committed; fails when it aborts.
fn committed(tx: &IdbTransaction) -> JsFuture {
    let tx2 = tx.clone();
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let reject2 = reject.clone();
        let fail = Closure::once_into_js(move || {
            let _ = reject2.call1(&JsValue::NULL, &"IndexedDB transaction failed".into());
        });
        let abort = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &"IndexedDB transaction aborted".into());
        });
        tx2.set_oncomplete(Some(ok.unchecked_ref()));
        tx2.set_onerror(Some(fail.unchecked_ref()));
        tx2.set_onabort(Some(abort.unchecked_ref()));
    });
    JsFuture::from(p)
}

async fn open_idb() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window().ok_or("no window")?.indexed_db()?.ok_or("no IndexedDB")?;
    let req = factory.open_with_u32(DB_NAME, DB_VERSION)?;
    let upgrade = Closure::once_into_js({
        let req = req.clone();
        move || {
            let Ok(db) = req.result().and_then(|d| d.dyn_into::<IdbDatabase>()) else { return };
            let names = db.object_store_names();
            for store in [CASES, PHOTOS, HISTORY] {
                if !names.contains(store) {
                    let params = IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("id"));
                    let _ = db.create_object_store_with_optional_parameters(store, &params);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db: IdbDatabase = request(&req).await?.unchecked_into();
    // A newer widget in another tab upgrading the database: let it, and keep working in
    // memory until this page is reloaded.
    let db2 = db.clone();
    let on_version = Closure::once_into_js(move || {
        db2.close();
        DB.with(|d| *d.borrow_mut() = Some(std::rc::Rc::new(Backend::Memory)));
    });
    db.set_onversionchange(Some(on_version.unchecked_ref()));
    Ok(db)
}

async fn backend() -> std::rc::Rc<Backend> {
    if let Some(b) = DB.with(|d| d.borrow().clone()) {
        return b;
    }
    let b = std::rc::Rc::new(match open_idb().await {
        Ok(db) => Backend::Idb(db),
        Err(e) => {
            web_sys::console::warn_2(&"kefu: IndexedDB is not available; hand-offs are kept in memory only".into(), &e);
            Backend::Memory
        }
    });
    // Another call may have opened it meanwhile: keep the first.
    DB.with(|d| d.borrow_mut().get_or_insert(b).clone())
}

fn key_of(value: &JsValue) -> String {
    field_str(value, "id").unwrap_or_default()
}

/// Stores `value` (an object with a string `id`), replacing any record with that id.
pub async fn put(store: &str, value: &JsValue) -> Result<(), JsValue> {
    match &*backend().await {
        Backend::Idb(db) => {
            let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)?;
            tx.object_store(store)?.put(value)?;
            committed(&tx).await.map(|_| ())
        }
        Backend::Memory => {
            MEMORY.with(|m| m.borrow_mut().insert((store.to_string(), key_of(value)), value.clone()));
            Ok(())
        }
    }
}

/// The record with `id`, if any.
pub async fn get(store: &str, id: &str) -> Result<Option<JsValue>, JsValue> {
    match &*backend().await {
        Backend::Idb(db) => {
            let tx = db.transaction_with_str(store)?;
            let v = request(&tx.object_store(store)?.get(&JsValue::from_str(id))?).await?;
            Ok(if v.is_undefined() || v.is_null() { None } else { Some(v) })
        }
        Backend::Memory => Ok(MEMORY.with(|m| m.borrow().get(&(store.to_string(), id.to_string())).cloned())),
    }
}

/// Every record of `store`, by id.
pub async fn all(store: &str) -> Result<Vec<JsValue>, JsValue> {
    match &*backend().await {
        Backend::Idb(db) => {
            let tx = db.transaction_with_str(store)?;
            let v = request(&tx.object_store(store)?.get_all()?).await?;
            Ok(v.dyn_into::<js_sys::Array>().map(|a| a.iter().collect()).unwrap_or_default())
        }
        Backend::Memory => {
            Ok(MEMORY.with(|m| m.borrow().iter().filter(|((s, _), _)| s == store).map(|(_, v)| v.clone()).collect()))
        }
    }
}

/// Deletes the record with `id` (no error when there is none).
pub async fn delete(store: &str, id: &str) -> Result<(), JsValue> {
    match &*backend().await {
        Backend::Idb(db) => {
            let tx = db.transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)?;
            tx.object_store(store)?.delete(&JsValue::from_str(id))?;
            committed(&tx).await.map(|_| ())
        }
        Backend::Memory => {
            MEMORY.with(|m| m.borrow_mut().remove(&(store.to_string(), id.to_string())));
            Ok(())
        }
    }
}

/// Reads a field of a record (the crate's [`crate::get`]).
pub(crate) use crate::get as field;

pub fn field_str(record: &JsValue, key: &str) -> Option<String> {
    field(record, key).as_string()
}

pub fn field_num(record: &JsValue, key: &str) -> f64 {
    field(record, key).as_f64().unwrap_or(0.0)
}

/// Sets a field of a record.
pub fn set(record: &JsValue, key: &str, value: impl Into<JsValue>) {
    let _ = js_sys::Reflect::set(record, &JsValue::from_str(key), &value.into());
}
