namespace DiffusionLab.Imaging;

/// <summary>One frame of an animated WebP as a still WebP (<see cref="Still"/>), placed at (X, Y) on its animation's canvas.</summary>
internal sealed record WebpFrame(byte[] Still, int X, int Y, int CanvasWidth, int CanvasHeight);
