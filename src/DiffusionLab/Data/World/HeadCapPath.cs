using SkiaSharp;

namespace DiffusionLab.Data.World;

/// <summary>The cap-shaped top of a head: the outline hair and the hats that hug the skull share.</summary>
internal static class HeadCapPath
{
    /// <summary>
    /// Adds to <paramref name="path"/> the part of the head's (padded) ellipse above a hairline that
    /// starts and ends at height sideY on both sides and bends through (controlX, controlY) in between.
    /// </summary>
    public static void Add(SKPath path, float w, float h, float pad, float sideY, float controlX, float controlY)
    {
        float rx = w + pad, ry = h + pad;
        float phi = (float)(Math.Asin(Math.Clamp(-sideY / ry, -0.99, 0.99)) * 180.0 / Math.PI);
        double rad = phi * Math.PI / 180.0;
        path.ArcTo(SKRect.Create(-rx, -ry, 2 * rx, 2 * ry), 180f + phi, 180f - 2f * phi, true);
        path.QuadTo(controlX, controlY, -rx * (float)Math.Cos(rad), sideY);
        path.Close();
    }
}
