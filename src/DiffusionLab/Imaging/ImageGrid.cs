using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Imaging;

/// <summary>
/// Lays out a batch (N,C,H,W) in [−1,1] as one image: rows of <c>columns</c> tiles (fewer when N is
/// smaller), each tile enlarged <c>scale</c>× by pixel repetition, with <c>padding</c> white pixels
/// between and around tiles. Size: width = cols·W·scale + (cols+1)·padding, likewise for height.
/// </summary>
public static class ImageGrid
{
    public static byte[] ToPng(Tensor images, int columns, int padding = 2, int scale = 1)
    {
        using var grid = Compose(images, columns, padding, scale);
        return TensorImages.ToPng(grid);
    }

    public static void Save(Tensor images, int columns, string path, int padding = 2, int scale = 1) =>
        AtomicFile.WriteAllBytes(path, ToPng(images, columns, padding, scale));

    /// <summary>The grid as a tensor (C, H', W') in [−1,1].</summary>
    public static Tensor Compose(Tensor images, int columns, int padding = 2, int scale = 1)
    {
        if (images.dim() != 4) throw new ArgumentException($"images: expected (N,C,H,W), got [{string.Join(", ", images.shape)}]");
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), $"columns {columns}: expected >= 1");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding {padding}: expected >= 0");
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), $"scale {scale}: expected >= 1");
        int n = (int)images.shape[0], c = (int)images.shape[1];
        if (n == 0) throw new ArgumentException("images: the batch is empty");
        int h = (int)images.shape[2] * scale, w = (int)images.shape[3] * scale;
        int cols = Math.Min(columns, n), rows = (n + cols - 1) / cols;
        using var scope = torch.NewDisposeScope();
        var tiles = images.detach().cpu().to(ScalarType.Float32);
        if (scale > 1) tiles = tiles.repeat_interleave(scale, 2).repeat_interleave(scale, 3);
        var canvas = torch.ones(c, rows * (h + padding) + padding, cols * (w + padding) + padding);
        for (int i = 0; i < n; i++)
        {
            int top = padding + (i / cols) * (h + padding), left = padding + (i % cols) * (w + padding);
            canvas[.., top..(top + h), left..(left + w)] = tiles[i];
        }
        return canvas.MoveToOuterDisposeScope();
    }
}
