using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.Dvn.Samples.Data;

/// <summary>
/// Fashion-MNIST as the Debian package dataset-fashion-mnist installs it: four gzip'd IDX files (big-endian header,
/// then one byte a pixel or label).
/// </summary>
internal static class FashionMnist
{
    public const string Directory = "/usr/share/datasets/fashion-mnist";

    public const string InstallCommand = "sudo build/install-data.sh   (or: sudo apt-get install -y dataset-fashion-mnist)";

    private static readonly string[] Files =
    {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    };

    public static readonly string[] ClassNames =
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    public static readonly string[] GroupNames = { "tops", "trousers", "footwear", "bags" };

    public static bool IsInstalled => Files.All(f => File.Exists(Path.Combine(Directory, f)));

    /// <summary>The 60,000 training and 10,000 test images; fails with the install command when the files are missing.</summary>
    public static ImageSet Load()
    {
        if (!IsInstalled)
            throw new MissingDataException(
                $"Fashion-MNIST is not installed: {Directory}/ lacks {string.Join(", ", Files.Where(f => !File.Exists(Path.Combine(Directory, f))))}. " +
                $"Install it (needs root and Debian's package archive) with:{Environment.NewLine}  {InstallCommand}");
        return new ImageSet("Fashion-MNIST",
            new LabeledImages(ReadImages(Files[0]), ReadLabels(Files[1])),
            new LabeledImages(ReadImages(Files[2]), ReadLabels(Files[3])),
            ClassNames, GroupNames);
    }

    private static float[][] ReadImages(string file)
    {
        var bytes = Decompress(file);
        CheckMagic(bytes, 0x803, file);
        int count = Header(bytes, 1), rows = Header(bytes, 2), columns = Header(bytes, 3);
        if (rows != ImageSet.Side || columns != ImageSet.Side || bytes.Length != 16 + count * rows * columns)
            throw new InvalidDataException($"{file}: {count} images of {rows} x {columns} in {bytes.Length} bytes; expected 28 x 28 images.");
        var images = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var pixels = bytes.AsSpan(16 + i * ImageSet.PixelCount, ImageSet.PixelCount);
            var image = images[i] = new float[ImageSet.PixelCount];
            for (int p = 0; p < pixels.Length; p++)
                image[p] = pixels[p] / 255f;
        }
        return images;
    }

    private static byte[] ReadLabels(string file)
    {
        var bytes = Decompress(file);
        CheckMagic(bytes, 0x801, file);
        int count = Header(bytes, 1);
        if (bytes.Length != 8 + count)
            throw new InvalidDataException($"{file}: {count} labels in {bytes.Length} bytes.");
        return bytes[8..];
    }

    private static byte[] Decompress(string file)
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Directory, file)), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    private static int Header(byte[] bytes, int index) => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 * index, 4));

    private static void CheckMagic(byte[] bytes, int magic, string file)
    {
        if (bytes.Length < 8 || Header(bytes, 0) != magic)
            throw new InvalidDataException($"{file} is not an IDX file of the expected kind (magic number 0x{magic:X}).");
    }
}

/// <summary>A data set the command needs is not installed; the message says how to install it.</summary>
internal sealed class MissingDataException(string message) : Exception(message);
