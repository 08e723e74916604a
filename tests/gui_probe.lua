-- gui_probe.lua: run inside the Wireshark GUI by tests/gui.py.
--
--   wireshark -X lua_script:gui_probe.lua -X lua_script1:OUT ...
--
-- Writes to OUT, on every tap update: whether this is the GUI, its version,
-- the verdict the plugin gave each RST as the GUI read the file, and the
-- highest severity of its expert entries (what Analyze > Expert Information
-- lists, and hides below its severity filter).
-- Field.new fails (and OUT never appears) if the plugin did not register.
local out_path = ...
local f_frame = Field.new("frame.number")
local f_cause = Field.new("rst.cause")
local f_suspicion = Field.new("rst.suspicion")
local f_severity = Field.new("_ws.expert.severity")
local f_message = Field.new("_ws.expert.message")

local verdicts = {}
local severities = {}
local tap = Listener.new("frame", "rst")

function tap.packet(pinfo)
    -- A frame can hold more than one RST (tunnels): keep them all, in order.
    local causes, suspicions = { f_cause() }, { f_suspicion() }
    local parts = {}
    for i, c in ipairs(causes) do
        parts[#parts + 1] = tostring(c) .. "/" .. tostring(suspicions[i])
    end
    verdicts[f_frame()()] = table.concat(parts, ",")
    -- The plugin's entries only ("RST cause ...", "RST forged ...", "Signs
    -- of a forged RST ..."), not TCP's own "Connection reset (RST)".
    local highest = 0
    local messages = { f_message() }
    for i, sev in ipairs({ f_severity() }) do
        local text = messages[i] and tostring(messages[i]()) or ""
        if (text:sub(1, 4) == "RST " or text:sub(1, 8) == "Signs of") and sev() > highest then
            highest = sev()
        end
    end
    severities[f_frame()()] = highest
end

function tap.reset()
    verdicts = {}
    severities = {}
end

function tap.draw()
    local fh = io.open(out_path .. ".tmp", "w")
    fh:write("gui\t", tostring(gui_enabled()), "\n")
    fh:write("version\t", get_version(), "\n")
    local frames = {}
    for n in pairs(verdicts) do frames[#frames + 1] = n end
    table.sort(frames)
    for _, n in ipairs(frames) do
        fh:write("rst\t", n, "\t", verdicts[n], "\n")
        fh:write("severity\t", n, "\t", severities[n], "\n")
    end
    fh:close()
    os.rename(out_path .. ".tmp", out_path)
end
