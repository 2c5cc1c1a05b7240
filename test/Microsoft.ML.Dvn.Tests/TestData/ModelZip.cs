using System.IO.Compression;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Reads and rewrites the DVN model stream inside an ML.NET model zip.</summary>
internal static class ModelZip
{
    public const string DvnEntrySuffix = "DvnModel.bin";

    public static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    public static byte[] DvnEntry(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var entry = archive.Entries.Single(e => e.FullName.EndsWith(DvnEntrySuffix)).Open();
        using var copy = new MemoryStream();
        entry.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The same zip with the DVN entry's bytes replaced by what <paramref name="change"/> makes of them.</summary>
    public static byte[] WithDvnEntry(byte[] zip, Func<byte[], byte[]> change)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var read = entry.Open();
                using var buffer = new MemoryStream();
                read.CopyTo(buffer);
                var bytes = entry.FullName.EndsWith(DvnEntrySuffix) ? change(buffer.ToArray()) : buffer.ToArray();
                using var write = target.CreateEntry(entry.FullName).Open();
                write.Write(bytes);
            }
        }
        return output.ToArray();
    }

    public static ITransformer Load(byte[] zip) => new MLContext().Model.Load(new MemoryStream(zip), out _);

    /// <summary>The messages of an exception and of every exception inside it.</summary>
    public static string Messages(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Messages(e.InnerException);
}
