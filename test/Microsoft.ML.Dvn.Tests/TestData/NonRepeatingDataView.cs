using Microsoft.ML.Data;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// A view that does not repeat, as a view over a queue or a stream does not: the k-th cursor opened (0-based) serves
/// only the source rows r for which keep(k, r) holds, each with the source's row id (honest ids, as ML.NET's contract
/// asks: a row keeps its id whichever cursor reads it).
/// </summary>
internal sealed class NonRepeatingDataView(IDataView source, Func<int, long, bool> keep) : IDataView
{
    private int _cursors;

    public bool CanShuffle => false;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(source.GetRowCursor(columnsNeeded), _cursors++, keep);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor(DataViewRowCursor source, int number, Func<int, long, bool> keep) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => source.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            while (source.MoveNext())
                if (keep(number, source.Position))
                {
                    _position++;
                    return true;
                }
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => source.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => source.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                source.Dispose();
            base.Dispose(disposing);
        }
    }
}
