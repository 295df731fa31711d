namespace DiffusionLab.Tests.Data.World;

/// <summary>Pixel helpers for CharacterWorld tests: difference masks, dilation and connected blobs.</summary>
internal static class WorldImages
{
    /// <summary>Pixels where any channel of two RGB images differs by more than <paramref name="threshold"/>.</summary>
    public static bool[] Differs(byte[] a, byte[] b, int threshold)
    {
        var result = new bool[a.Length / 3];
        for (int p = 0; p < result.Length; p++)
            for (int k = 0; k < 3; k++)
                if (Math.Abs(a[3 * p + k] - b[3 * p + k]) > threshold) result[p] = true;
        return result;
    }

    public static bool[] Dilate(bool[] on, int size, int radius = 1)
    {
        var result = new bool[on.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                if (!on[y * size + x]) continue;
                for (int dy = -radius; dy <= radius; dy++)
                    for (int dx = -radius; dx <= radius; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy >= 0 && yy < size && xx >= 0 && xx < size) result[yy * size + xx] = true;
                    }
            }
        return result;
    }

    public static bool[] Erode(bool[] on, int size, int radius = 1)
    {
        var off = Dilate(on.Select(v => !v).ToArray(), size, radius);
        return off.Select(v => !v).ToArray();
    }

    /// <summary>8-connected components of at least <paramref name="minArea"/> pixels.</summary>
    public static int Blobs(bool[] on, int size, int minArea)
    {
        var seen = new bool[on.Length];
        int count = 0;
        var stack = new Stack<int>();
        for (int start = 0; start < on.Length; start++)
        {
            if (!on[start] || seen[start]) continue;
            int area = 0;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                area++;
                int y = p / size, x = p % size;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || yy >= size || xx < 0 || xx >= size) continue;
                        int q = yy * size + xx;
                        if (on[q] && !seen[q]) { seen[q] = true; stack.Push(q); }
                    }
            }
            if (area >= minArea) count++;
        }
        return count;
    }

    public static double MeanAbsDifference(byte[] a, byte[] b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }
}
