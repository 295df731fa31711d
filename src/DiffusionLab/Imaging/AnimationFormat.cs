namespace DiffusionLab.Imaging;

/// <summary>The file formats an animation (a clip of frames) is written in, chosen by the file's extension.</summary>
public enum AnimationFormat
{
    /// <summary>.gif: a 256-colour palette per frame, delays in hundredths of a second; every viewer plays it.</summary>
    Gif,
    /// <summary>.webp: lossless (or lossy VP8) frames in full colour, delays in milliseconds.</summary>
    Webp,
}
