// Cross-checks sdapipe's Arrow IPC files with the JavaScript implementation
// of Arrow (npm package apache-arrow, tested with 21.2.0).
//
//   node arrow_js.cjs MODULE read FILE    print FILE as JSON (schema, values)
//   node arrow_js.cjs MODULE write FILE   write the fixture js_table.arrow
//
// MODULE is the path of the apache-arrow package directory, e.g.
// /tmp/x/node_modules/apache-arrow. Non-finite floats and 64-bit integers
// are printed as strings, since JSON has no NaN and no 64-bit integers.
'use strict';
const fs = require('fs');
const arrow = require(process.argv[2]);
const [mode, file] = process.argv.slice(3);

function plain(v) {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'number' && Object.is(v, -0)) return '-0';
  if (v !== null && typeof v === 'object' && typeof v.toArray === 'function') {
    return Array.from(v.toArray(), plain);
  }
  return v;
}

function read() {
  const table = arrow.tableFromIPC(fs.readFileSync(file));
  const out = {
    numRows: table.numRows,
    batches: table.batches.length,
    metadata: Object.fromEntries(table.schema.metadata),
    fields: [],
  };
  for (const f of table.schema.fields) {
    const col = table.getChild(f.name);
    const values = [];
    for (let i = 0; i < col.length; i++) values.push(plain(col.get(i)));
    out.fields.push({
      name: f.name,
      type: String(f.type),
      metadata: Object.fromEntries(f.metadata),
      nullCount: col.nullCount,
      values,
    });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

function write() {
  const { makeData, vectorFromArray, Field, Schema, Struct, RecordBatch, Table, tableToIPC,
    FixedSizeList, Float32, Float64, Int32, Int64, Utf8, Bool } = arrow;
  const n = 3;
  const item = new Field('item', new Float32(), true);
  const tensor = makeData({
    type: new FixedSizeList(4, item), length: n, nullCount: 0,
    child: makeData({ type: new Float32(), length: 4 * n, data: Float32Array.from({ length: 4 * n }, (_, i) => i / 4) }),
  });
  const cols = [
    [new Field('f32', new Float32(), false), makeData({ type: new Float32(), length: n, data: Float32Array.from([1.5, -2, 3.25]) })],
    [new Field('f64', new Float64(), false), makeData({ type: new Float64(), length: n, data: Float64Array.from([0.1, 1e300, -0]) })],
    [new Field('i32', new Int32(), false), makeData({ type: new Int32(), length: n, data: Int32Array.from([-1, 0, 2147483647]) })],
    [new Field('i64', new Int64(), false), makeData({ type: new Int64(), length: n, data: BigInt64Array.from([-9223372036854775808n, 0n, 42n]) })],
    [new Field('name', new Utf8(), false), vectorFromArray(['a', 'β', ''], new Utf8()).data[0]],
    [new Field('ok', new Bool(), false), vectorFromArray([true, false, true], new Bool()).data[0]],
    [new Field('state', tensor.type, false, new Map([
      ['ARROW:extension:name', 'arrow.fixed_shape_tensor'],
      ['ARROW:extension:metadata', '{"shape":[2,2]}'],
      ['units', 'm'],
    ])), tensor],
  ];
  const schema = new Schema(cols.map(c => c[0]), new Map([['producer', 'apache-arrow js']]));
  const batch = new RecordBatch(schema, makeData({
    type: new Struct(schema.fields), length: n, nullCount: 0, children: cols.map(c => c[1]),
  }));
  fs.writeFileSync(file, tableToIPC(new Table(batch), 'file'));
}

if (mode === 'read') read();
else if (mode === 'write') write();
else throw new Error('usage: node arrow_js.cjs MODULE read|write FILE');
