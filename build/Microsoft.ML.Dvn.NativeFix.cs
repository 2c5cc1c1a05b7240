// The MSBuild task behind Microsoft.ML.Dvn.NativeFix.targets (see that file for why it exists). RoslynCodeTaskFactory
// compiles this file in the repository's own build and, from the package's buildTransitive folder, in every consumer's
// build; the test project compiles it too (test/Microsoft.ML.Dvn.Tests/Native/NativeFixTaskTests.cs). It compiles
// against netstandard 2.0 there: no newer base-library API.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks the GLIBCXX_3.4.32 requirement of TorchSharp's libLibTorchSharp.so weak in the copies a build or publish made
/// for linux-x64, when the library asks that version for nothing but the marker symbol
/// <c>_ZSt21ios_base_library_initv</c>. The decision depends on the copy's runtime target and the library's own
/// symbol tables, never on the machine that builds. It never fails the build: a library it does not recognise, or a
/// copy it cannot read or replace, is a warning (DVN1001-DVN1003), and the copy stays as the build made it.
/// </summary>
public sealed class DvnPatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    public const string PatchedRuntime = "linux-x64";

    /// <summary>TorchSharp versions whose patched library was run on Debian 12; others are patched on the symbol check alone.</summary>
    public static readonly string[] VerifiedTorchSharpVersions = { "0.107.0" };

    /// <summary>
    /// TorchSharp's original libLibTorchSharp.so files (read, never written), each with metadata Destination (the copy
    /// in the output to replace), and, as NuGet resolved them, RuntimeIdentifier (RID-less builds) and NuGetPackageVersion.
    /// </summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The project's RuntimeIdentifier: the target of copies whose item names none (RID-specific builds).</summary>
    public string? RuntimeIdentifier { get; set; }

    /// <summary>
    /// Whether DVN1001-DVN1003 are written as high-importance messages (default, from the targets: a consumer that
    /// treats warnings as errors must not fail its build over a fix it may not need) or as warnings
    /// (DvnNativeFixWarnings=true).
    /// </summary>
    public bool WarningsAsMessages { get; set; }

    /// <summary>The copies that are patched now (including those that already were).</summary>
    [Output]
    public ITaskItem[] Patched { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var patched = new List<ITaskItem>();
        foreach (var item in Files)
            if (Patch(item))
                patched.Add(new TaskItem(item.GetMetadata("Destination")));
        Patched = patched.ToArray();
        return true;
    }

    private bool Patch(ITaskItem item)
    {
        string source = item.ItemSpec;
        string destination = item.GetMetadata("Destination");
        string runtime = item.GetMetadata("RuntimeIdentifier");
        if (runtime.Length == 0)
            runtime = RuntimeIdentifier ?? string.Empty;
        string version = item.GetMetadata("NuGetPackageVersion");
        string torchSharp = version.Length == 0 ? "TorchSharp" : "TorchSharp " + version;

        if (runtime != PatchedRuntime)
        {
            Log.LogMessage(MessageImportance.Low,
                $"Microsoft.ML.Dvn: {destination} is for runtime '{runtime}', not {PatchedRuntime}: left as it is.");
            return false;
        }
        if (destination.Length == 0 || !File.Exists(destination))
        {
            Log.LogMessage(MessageImportance.Low, $"Microsoft.ML.Dvn: no copy of {source} at '{destination}': nothing to patch.");
            return false;
        }

        byte[] original;
        GlibcxxRequirement? requirement;
        try
        {
            original = File.ReadAllBytes(source);
            requirement = GlibcxxRequirement.Read(original);
        }
        catch (InvalidDataException e)
        {
            Warn("DVN1002", destination,
                $"{source} ({torchSharp}) is not an x86-64 ELF shared library this fix can read ({e.Message}). {Consequence}");
            return false;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            Warn("DVN1003", destination, $"could not read {source} ({torchSharp}): {e.Message} {Consequence}");
            return false;
        }

        if (requirement == null)
        {
            Log.LogMessage(MessageImportance.Low,
                $"Microsoft.ML.Dvn: {source} ({torchSharp}) does not ask for {GlibcxxRequirement.Version}: nothing to patch.");
            return false;
        }
        if (!requirement.OnlyTheMarker)
        {
            Warn("DVN1001", destination,
                $"{source} ({torchSharp}) asks {requirement.Library} for {GlibcxxRequirement.Version} for " +
                $"{Describe(requirement.Symbols)}, not only for the marker {GlibcxxRequirement.MarkerSymbol} that this fix " +
                $"knows to be safe, so it was left as it is. {Consequence}");
            return false;
        }

        byte[] weak = requirement.MarkWeak(original);
        try
        {
            if (SameBytes(destination, weak))
            {
                Log.LogMessage(MessageImportance.Low, $"Microsoft.ML.Dvn: {destination} is already patched.");
                return true;
            }
            ReplaceAtomically(source, destination, weak);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            Warn("DVN1003", destination, $"could not replace {destination} with a patched copy: {e.Message} {Consequence}");
            return false;
        }
        string verified = VerifiedTorchSharpVersions.Contains(version)
            ? string.Empty
            : $" {torchSharp} is not a version this fix was run with ({string.Join(", ", VerifiedTorchSharpVersions)}); " +
              "its library passed the same symbol check.";
        Log.LogMessage(MessageImportance.High,
            $"Microsoft.ML.Dvn: marked {GlibcxxRequirement.Version} weak in {destination} ({torchSharp}, {PatchedRuntime}; " +
            $"the library asks that version only for the marker {GlibcxxRequirement.MarkerSymbol}, which nothing calls).{verified}");
        return true;
    }

    private const string Consequence =
        "On Linux systems whose libstdc++ lacks GLIBCXX_3.4.32 (Debian 12, Ubuntu 22.04) TorchSharp will then fail to " +
        "load; elsewhere nothing changes. Set -p:DvnSkipNativeFix=true to switch the fix off.";

    private void Warn(string code, string file, string message)
    {
        if (WarningsAsMessages)
            Log.LogMessage(MessageImportance.High, $"{file}: {code}: Microsoft.ML.Dvn: {message} (set DvnNativeFixWarnings=true for a warning)");
        else
            Log.LogWarning(null, code, null, file, 0, 0, 0, 0, "Microsoft.ML.Dvn: " + message);
    }

    private static string Describe(IReadOnlyList<string> symbols) =>
        symbols.Count == 0
            ? "no symbol at all"
            : $"{symbols.Count} symbol(s): " + string.Join(", ", symbols.Take(5)) + (symbols.Count > 5 ? ", ..." : "");

    private static bool SameBytes(string path, byte[] expected)
    {
        var info = new FileInfo(path);
        return info.Length == expected.Length && File.ReadAllBytes(path).SequenceEqual(expected);
    }

    // A temporary file of a unique name in the same folder, renamed over the copy: concurrent builds into one output
    // folder never share a temporary file, and a reader sees either the old or the new file, never a mix. Renaming
    // (not writing through) also leaves a hard link into the NuGet cache untouched. File.Copy keeps the source's mode;
    // a read-only source (a Nix-style store, mode 0444) gets the owner's write bit back (clearing ReadOnly does that
    // on Unix), so the patched bytes can be written and the next build can replace the copy.
    private static void ReplaceAtomically(string source, string destination, byte[] patched)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.Copy(source, temporary);
            var attributes = File.GetAttributes(temporary);
            if ((attributes & FileAttributes.ReadOnly) != 0)
                File.SetAttributes(temporary, attributes & ~FileAttributes.ReadOnly);
            File.WriteAllBytes(temporary, patched);
            File.Replace(temporary, destination, null);
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Best effort: a temporary file left behind is harmless, and the warning above already says what failed.
            }
        }
    }
}

/// <summary>
/// How an ELF64 little-endian x86-64 shared library asks for GLIBCXX_3.4.32: the library named in that version-needed
/// entry, its flags, and every dynamic symbol bound to it. Read from .gnu.version_r, .gnu.version and .dynsym; every
/// offset is checked against the file, so a damaged or foreign file is an <see cref="InvalidDataException"/>.
/// </summary>
public sealed class GlibcxxRequirement
{
    public const string Version = "GLIBCXX_3.4.32";
    public const string MarkerSymbol = "_ZSt21ios_base_library_initv";
    public const string LibStdCxx = "libstdc++.so.6";

    private const ushort MachineX86_64 = 62;
    private const uint SectionDynamicSymbols = 11;
    private const uint SectionVersionNeeded = 0x6ffffffe;
    private const uint SectionVersionSymbols = 0x6fffffff;
    private const ushort WeakFlag = 0x2;

    private GlibcxxRequirement(string library, long flagsOffset, ushort flags, IReadOnlyList<string> symbols, bool undefined)
    {
        Library = library;
        FlagsOffset = flagsOffset;
        Flags = flags;
        Symbols = symbols;
        AllUndefined = undefined;
    }

    /// <summary>The file the version is asked of (libstdc++.so.6 in every TorchSharp so far).</summary>
    public string Library { get; }

    /// <summary>File offset of the entry's vna_flags.</summary>
    public long FlagsOffset { get; }

    public ushort Flags { get; }

    public bool IsWeak => (Flags & WeakFlag) != 0;

    /// <summary>The dynamic symbols bound to the version, in symbol-table order.</summary>
    public IReadOnlyList<string> Symbols { get; }

    private bool AllUndefined { get; }

    /// <summary>
    /// The one case the fix knows to be safe: libstdc++ is asked for the version for the marker symbol alone, an
    /// undefined reference that GCC 13's &lt;iostream&gt; emits and nothing calls.
    /// </summary>
    public bool OnlyTheMarker =>
        Library == LibStdCxx && AllUndefined && Symbols.Count == 1 && Symbols[0] == MarkerSymbol;

    /// <summary>A copy of <paramref name="elf"/> with the version requirement marked weak.</summary>
    public byte[] MarkWeak(byte[] elf)
    {
        var copy = (byte[])elf.Clone();
        ushort flags = (ushort)(Flags | WeakFlag);
        copy[FlagsOffset] = (byte)flags;
        copy[FlagsOffset + 1] = (byte)(flags >> 8);
        return copy;
    }

    /// <summary>The library's GLIBCXX_3.4.32 requirement, or null when it has none.</summary>
    public static GlibcxxRequirement? Read(byte[] elf)
    {
        var file = new Reader(elf);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("no ELF header");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        if (file.U16(0x12) != MachineX86_64)
            throw new InvalidDataException($"machine {file.U16(0x12)}, not x86-64 (62)");

        long sectionTable = file.I64(0x28);
        int entrySize = file.U16(0x3A), sectionCount = file.U16(0x3C);
        if (entrySize < 64)
            throw new InvalidDataException($"section header entries of {entrySize} bytes");
        var sections = Enumerable.Range(0, sectionCount).Select(s => new Section(file, sectionTable + (long)s * entrySize)).ToArray();
        Section Linked(Section section) =>
            section.Link < sections.Length ? sections[section.Link] : throw new InvalidDataException($"section link {section.Link} out of range");

        var needed = sections.Where(s => s.Type == SectionVersionNeeded).ToArray();
        if (needed.Length == 0)
            return null;
        if (needed.Length > 1)
            throw new InvalidDataException($"{needed.Length} version-needed sections");
        var found = new List<(string Library, long FlagsOffset, ushort Flags, ushort Index)>();
        Section names = Linked(needed[0]);
        long need = needed[0].Offset;
        for (uint n = 0; n < needed[0].Info; n++)
        {
            string library = file.String(names.Offset + file.U32(need + 4));
            long aux = need + file.U32(need + 8);
            for (int a = 0; a < file.U16(need + 2); a++)
            {
                if (file.String(names.Offset + file.U32(aux + 8)) == Version)
                    found.Add((library, aux + 4, file.U16(aux + 4), file.U16(aux + 6)));
                aux += file.U32(aux + 12);
            }
            uint next = file.U32(need + 12);
            if (next == 0)
                break;
            need += next;
        }
        if (found.Count == 0)
            return null;
        if (found.Count > 1)
            throw new InvalidDataException($"{Version} is asked for {found.Count} times");

        var versions = sections.Where(s => s.Type == SectionVersionSymbols).ToArray();
        if (versions.Length != 1)
            throw new InvalidDataException($"{versions.Length} version-symbol sections");
        Section symbols = Linked(versions[0]);
        if (symbols.Type != SectionDynamicSymbols || symbols.EntrySize < 24)
            throw new InvalidDataException("the version-symbol section is not linked to the dynamic symbol table");
        Section symbolNames = Linked(symbols);
        long count = symbols.Size / symbols.EntrySize;
        if (versions[0].Size < count * 2)
            throw new InvalidDataException($"{versions[0].Size / 2} symbol versions for {count} symbols");

        var bound = new List<string>();
        bool undefined = true;
        for (long i = 0; i < count; i++)
        {
            if ((file.U16(versions[0].Offset + i * 2) & 0x7fff) != found[0].Index)
                continue;
            long symbol = symbols.Offset + i * symbols.EntrySize;
            bound.Add(file.String(symbolNames.Offset + file.U32(symbol)));
            undefined &= file.U16(symbol + 6) == 0;
        }
        return new GlibcxxRequirement(found[0].Library, found[0].FlagsOffset, found[0].Flags, bound, undefined);
    }

    private sealed class Section
    {
        public Section(Reader file, long header)
        {
            Type = file.U32(header + 4);
            Offset = file.I64(header + 0x18);
            Size = file.I64(header + 0x20);
            Link = file.U32(header + 0x28);
            Info = file.U32(header + 0x2C);
            EntrySize = file.I64(header + 0x38);
            if (Type != 8 && (Offset < 0 || Size < 0 || Offset > file.Length - Size)) // 8: SHT_NOBITS has no bytes in the file
                throw new InvalidDataException($"a section of {Size} bytes at {Offset} lies outside the file");
        }

        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        public uint Link { get; }
        public uint Info { get; }
        public long EntrySize { get; }
    }

    private sealed class Reader
    {
        private readonly byte[] _bytes;

        public Reader(byte[] bytes) => _bytes = bytes;

        public long Length => _bytes.Length;

        public ushort U16(long at) => BitConverter.ToUInt16(_bytes, Check(at, 2));

        public uint U32(long at) => BitConverter.ToUInt32(_bytes, Check(at, 4));

        public long I64(long at) => BitConverter.ToInt64(_bytes, Check(at, 8));

        public string String(long at)
        {
            int start = Check(at, 1), end = Array.IndexOf(_bytes, (byte)0, start);
            if (end < 0)
                throw new InvalidDataException($"an unterminated name at {at}");
            return Encoding.ASCII.GetString(_bytes, start, end - start);
        }

        private int Check(long at, int size) =>
            at >= 0 && at <= _bytes.Length - size ? (int)at : throw new InvalidDataException($"a read of {size} bytes at {at} lies outside the file");
    }
}
