using System.IO.Compression;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// 10,000 real MNIST digits embedded in the library (see Data/Resources/README.md for source, licence
/// and format), padded 28→32 as in DDPM's 32×32 MNIST. Split: the last 200 of each class are test
/// (2,000, balanced), the other 8,000 are train.
/// </summary>
public static class Mnist10k
{
    public const int ImageSize = 32;
    public const int NumClasses = 10;
    public const int TestPerClass = 200;
    private const int SourceSide = 28;
    private const int Pad = (ImageSize - SourceSide) / 2;
    private const string ResourceName = "DiffusionLab.Data.mnist10k.bin";

    public static LabeledImages Load(MnistSplit split)
    {
        var (labels, pixels) = ReadResource();
        int n = labels.Length;
        var classEnd = new int[NumClasses];
        for (int i = 0; i < n; i++) classEnd[labels[i]] = i + 1; // the file is sorted by class
        var selected = new List<int>();
        for (int i = 0; i < n; i++)
        {
            bool isTest = i >= classEnd[labels[i]] - TestPerClass;
            if (isTest == (split == MnistSplit.Test)) selected.Add(i);
        }

        const int srcPixels = SourceSide * SourceSide;
        var padded = new byte[selected.Count * ImageSize * ImageSize]; // zero = background
        var selectedLabels = new long[selected.Count];
        for (int j = 0; j < selected.Count; j++)
        {
            int i = selected[j];
            selectedLabels[j] = labels[i];
            for (int row = 0; row < SourceSide; row++)
                Buffer.BlockCopy(pixels, i * srcPixels + row * SourceSide, padded,
                    j * ImageSize * ImageSize + (row + Pad) * ImageSize + Pad, SourceSide);
        }

        using var bytes = torch.tensor(padded, new long[] { selected.Count, 1, ImageSize, ImageSize });
        var images = bytes.to(ScalarType.Float32).div_(127.5).sub_(1.0);
        var labelTensor = torch.tensor(selectedLabels);
        var names = Enumerable.Range(0, NumClasses).Select(c => c.ToString()).ToArray();
        return new LabeledImages(images, labelTensor, NumClasses, names);
    }

    private static (byte[] Labels, byte[] Pixels) ReadResource()
    {
        using var resource = typeof(Mnist10k).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource '{ResourceName}' is missing from the DiffusionLab assembly");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        string magic = Encoding.ASCII.GetString(reader.ReadBytes(8));
        uint version = reader.ReadUInt32();
        if (magic != "MNIST10K" || version != 1)
            throw new InvalidDataException($"{ResourceName}: expected MNIST10K version 1, got '{magic}' version {version}");
        int n = (int)reader.ReadUInt32(), rows = (int)reader.ReadUInt32(), cols = (int)reader.ReadUInt32(), classes = (int)reader.ReadUInt32();
        if (rows != SourceSide || cols != SourceSide || classes != NumClasses)
            throw new InvalidDataException($"{ResourceName}: expected {SourceSide}x{SourceSide} images of {NumClasses} classes, got {rows}x{cols} of {classes}");
        byte[] labels = reader.ReadBytes(n);
        byte[] pixels = reader.ReadBytes(n * rows * cols);
        if (labels.Length != n || pixels.Length != n * rows * cols)
            throw new InvalidDataException($"{ResourceName}: truncated");
        return (labels, pixels);
    }
}
