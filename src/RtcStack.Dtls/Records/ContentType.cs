namespace RtcStack.Dtls.Records;

/// <summary>RFC 5246 §6.2.1 ContentType; ack (26) from RFC 9147 §7.</summary>
internal enum ContentType : byte
{
    ChangeCipherSpec = 20,
    Alert = 21,
    Handshake = 22,
    ApplicationData = 23,
    Ack = 26,
}
